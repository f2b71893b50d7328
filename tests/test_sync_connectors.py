"""Connectors against real local HTTP servers, storing into real databases through the repository:
the HTTP feed (CSV, JSON, malformed), the Shopify-style REST connector (Link pagination, rate-limit
headers, 429), the price tracker (JSON-LD, microdata, CSS fallback, robots.txt, ETag 304, failures that
stop nothing), and the run records every run leaves."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.repository import Repository
from ecomintel.errors import InputError
from ecomintel.sync.extract import extract_offer, parse_price
from ecomintel.sync.runner import run_source
from ecomintel.sync.shopify import ShopifyConnector
from ecomintel.sync.sources import configure_source
from tests.conftest import new_tenant_ctx
from tests.sync_helpers import json_ld_page, microdata_page, plain_page, sync_settings
from tests.sync_servers import Reply, ScriptedServer

PRODUCTS_CSV = ("product_id,title,brand,price,currency\n"
                "P-1,Red mug,Acme,4.50,GBP\n"
                ",Blue mug,Acme,4.75,GBP\n"  # no product code: rejected
                "P-3,Green mug,Acme,5.25,GBP\n")


@pytest.fixture
def lite_repo(sqlite_engine: sa.Engine) -> Repository:
    return Repository(sqlite_engine, new_tenant_ctx(sqlite_engine))


def count(repo: Repository, table: sa.Table) -> int:
    with repo.engine.connect() as conn:
        return int(conn.execute(repo.scoped(table, sa.func.count())).scalar() or 0)


# -- HTTP feed ------------------------------------------------------------------------------------------
def test_csv_feed_goes_through_the_ingestion_pipeline(lite_repo: Repository) -> None:
    settings = sync_settings()
    with ScriptedServer() as server:
        server.route("/feeds/products.csv", Reply(200, PRODUCTS_CSV, {"Content-Type": "text/csv"}))
        configure_source(lite_repo, name="supplier", connector="http_feed",
                         options={"url": server.url("/feeds/products.csv"), "kind": "prices",
                                  "auth_scheme": "Bearer"}, secret_ref="env:SUPPLIER_TOKEN")
        before = lite_repo.data_version()
        run = run_source(lite_repo, settings, "supplier", env={"SUPPLIER_TOKEN": "s3cret"})
        assert server.hits("/feeds/products.csv")[0].headers["authorization"] == "Bearer s3cret"
        assert run["status"] == "ok" and run["rows"] == 2, run
        assert lite_repo.data_version() > before
        batch = lite_repo.get_batch(run["batch_ids"][0])
        assert batch["source"] == "sync" and batch["rows_rejected"] == 1
        rejected = lite_repo.rejected(batch["id"])
        assert rejected.iloc[0]["title"] == "Blue mug" and "sku" in rejected.iloc[0]["reasons"]
        # the same feed again: recognised by its hash, nothing stored twice
        again = run_source(lite_repo, settings, "supplier", env={"SUPPLIER_TOKEN": "s3cret"})
        assert again["status"] == "ok" and again["rows"] == 0
        assert count(lite_repo, m.products) == 2
    assert "s3cret" not in json.dumps(lite_repo.list_sync_sources(), default=str)


def test_json_feed_and_malformed_json(lite_repo: Repository) -> None:
    settings = sync_settings()
    records = {"items": [{"sku": "J-1", "name": "Lamp", "price": {"amount": "19.90"}},
                         {"sku": "J-2", "name": "Shade", "price": {"amount": "7.10"}}]}
    with ScriptedServer() as server:
        server.route("/p.json", Reply(200, json.dumps(records), {"Content-Type": "application/json"}))
        server.route("/bad.json", Reply(200, '{"items": [1, 2', {"Content-Type": "application/json"}))
        configure_source(lite_repo, name="json", connector="http_feed",
                         options={"url": server.url("/p.json"), "kind": "products",
                                  "mapping": {"price": "price.amount"}})
        configure_source(lite_repo, name="bad", connector="http_feed",
                         options={"url": server.url("/bad.json"), "kind": "products"})
        good = run_source(lite_repo, settings, "json")
        bad = run_source(lite_repo, settings, "bad")
    assert good["status"] == "ok" and good["rows"] == 2
    assert bad["status"] == "failed"
    assert "not valid JSON" in bad["errors"][0]["reason"]
    assert [r["source_name"] for r in lite_repo.list_sync_runs()] == ["bad", "json"]


def test_feed_server_error_is_a_failed_run_with_the_reason(lite_repo: Repository) -> None:
    with ScriptedServer() as server:
        server.route("/f.csv", Reply(503))
        configure_source(lite_repo, name="down", connector="http_feed",
                         options={"url": server.url("/f.csv"), "kind": "products"})
        run = run_source(lite_repo, sync_settings(sync_retries=1), "down")
        assert len(server.hits("/f.csv")) == 2
    assert run["status"] == "failed" and run["finished_at"] is not None
    assert run["errors"] == [{"item": server.url("/f.csv"), "reason": "HTTP 503 after 2 attempts"}]


def test_missing_secret_fails_the_run_not_the_caller(lite_repo: Repository) -> None:
    configure_source(lite_repo, name="shop", connector="shopify", options={"base_url": "http://127.0.0.1:9/api"},
                     secret_ref="env:NOT_SET_ANYWHERE")
    run = run_source(lite_repo, sync_settings(), "shop", env={})
    assert run["status"] == "failed" and "NOT_SET_ANYWHERE" in run["message"]


def test_configuration_is_checked_before_it_is_stored(lite_repo: Repository) -> None:
    with pytest.raises(InputError, match="reference"):
        configure_source(lite_repo, name="x", connector="http_feed", options={"url": "https://a.example/f.csv"},
                         secret_ref="shpat_0123456789abcdef")
    with pytest.raises(InputError, match="schedule"):
        configure_source(lite_repo, name="x", connector="http_feed", options={"url": "https://a.example/f.csv"},
                         schedule="sometimes")
    with pytest.raises(InputError, match="URL"):
        configure_source(lite_repo, name="x", connector="http_feed", options={})
    with pytest.raises(InputError, match="Unknown connector"):
        configure_source(lite_repo, name="x", connector="ftp", options={})
    assert lite_repo.list_sync_sources() == []


# -- Shopify-style REST ---------------------------------------------------------------------------------
def shop_products(start: int, n: int) -> dict[str, object]:
    return {"products": [{"id": i, "title": f"Shirt {i}", "vendor": "Acme", "product_type": "Shirts",
                          "variants": [{"id": i * 10, "sku": f"S-{i}", "price": f"{10 + i}.00", "title": "Default Title",
                                        "inventory_quantity": i}]} for i in range(start, start + n)]}


def test_shopify_follows_link_pagination_and_honours_rate_limits(lite_repo: Repository) -> None:
    pauses: list[float] = []
    with ScriptedServer() as server:
        base = server.url("/admin/api/2024-10")
        nxt = server.url("/admin/api/2024-10/products.json?limit=2&page_info=abc")
        last = server.url("/admin/api/2024-10/products.json?limit=2&page_info=def")
        server.dynamic = lambda path, headers: {
            "/admin/api/2024-10/products.json?limit=2": Reply(200, json.dumps(shop_products(1, 2)), {
                "Link": f'<{nxt}>; rel="next"', "X-Shopify-Shop-Api-Call-Limit": "39/40"}),
            "/admin/api/2024-10/products.json?limit=2&page_info=def": Reply(200, json.dumps(shop_products(5, 1)), {
                "Link": f'<{nxt}>; rel="previous"'}),
        }.get(path)
        server.route("/admin/api/2024-10/products.json", Reply(429, headers={"Retry-After": "0"}),
                     Reply(200, json.dumps(shop_products(3, 2)), {"Link": f'<{last}>; rel="next"'}))
        configure_source(lite_repo, name="shop", connector="shopify",
                         options={"base_url": base, "resources": ["products"], "page_size": 2, "currency": "USD"},
                         secret_ref="env:SHOP_TOKEN")
        run = run_source(lite_repo, sync_settings(), "shop", connector=ShopifyConnector(sleep=pauses.append),
                         env={"SHOP_TOKEN": "shpat_x"})
        assert all(h.headers["x-shopify-access-token"] == "shpat_x" for h in server.requests)
        assert [h.path.rsplit("=", 1)[-1] for h in server.requests] == ["2", "abc", "abc", "def"]
    assert run["status"] == "ok" and run["rows"] == 5 and run["pages_ok"] == 3, run
    assert pauses == [(39 - 20) / 2.0]  # 39 of 40 calls used: wait until the bucket is half empty
    with lite_repo.engine.connect() as conn:
        skus = sorted(conn.execute(lite_repo.scoped(m.products, m.products.c.sku)).scalars())
    assert skus == ["S-1", "S-2", "S-3", "S-4", "S-5"]


def test_shopify_orders_and_a_malformed_page(lite_repo: Repository) -> None:
    orders = {"orders": [{"id": 1, "name": "#1001", "currency": "USD", "created_at": "2026-11-01T10:00:00Z",
                          "customer": {"id": 7}, "shipping_address": {"country": "Canada"},
                          "line_items": [{"sku": "S-1", "title": "Shirt", "quantity": 2, "price": "11.00"},
                                         {"sku": "S-2", "title": "Shirt 2", "quantity": 1, "price": "12.00"}]}]}
    with ScriptedServer() as server:
        server.route("/api/orders.json", Reply(200, json.dumps(orders)))
        server.route("/api/products.json", Reply(200, "<html>maintenance</html>"))
        configure_source(lite_repo, name="shop", connector="shopify", options={"base_url": server.url("/api")})
        run = run_source(lite_repo, sync_settings(), "shop")
    assert run["status"] == "partial" and run["rows"] == 2
    assert run["errors"][0]["item"] == "products page 1" and "malformed" in run["errors"][0]["reason"]
    assert lite_repo.latest_data_dates()["sales_lines"] == 2


# -- price tracker ---------------------------------------------------------------------------------------
def test_extraction_methods_and_price_text() -> None:
    assert extract_offer(json_ld_page("A", 19.99)).method == "json-ld"  # type: ignore[union-attr]
    offer = extract_offer(microdata_page("B", 9.5))
    assert offer is not None and (offer.price, offer.currency, offer.availability, offer.sku) == (
        9.5, "GBP", "OutOfStock", "B")
    css = extract_offer(plain_page("1.299,00 €"), {"price": ".now-price"})
    assert css is not None and (css.price, css.currency, css.method) == (1299.0, "EUR", "css")
    assert extract_offer(plain_page("£3")) is None
    assert [parse_price(t) for t in ("$1,299.99", "12", "0,5", "n/a")] == [1299.99, 12.0, 0.5, None]


def test_price_tracker_end_to_end(repo: Repository) -> None:
    settings = sync_settings()
    prices = {"a": 20.0}
    with ScriptedServer() as shop, ScriptedServer() as other:
        shop.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /private/\n"))
        etag_page = lambda: Reply(200, json_ld_page("A-1", prices["a"]), {"ETag": f'"v{prices["a"]}"'})  # noqa: E731
        shop.dynamic = lambda path, h: (Reply(304, headers={"ETag": f'"v{prices["a"]}"'})
                                        if path == "/p/a" and h.get("if-none-match") == f'"v{prices["a"]}"'
                                        else etag_page() if path == "/p/a" else None)
        shop.route("/p/b", Reply(200, microdata_page("B-1", 9.5)))
        shop.route("/p/c.html", Reply(200, plain_page("£7.25")))
        shop.route("/p/none", Reply(200, plain_page("call us")))
        shop.route("/private/d", Reply(200, json_ld_page("D", 1)))
        other.route("/robots.txt", Reply(404))
        other.route("/item/9", Reply(500))  # always failing: must not stop the other host
        host = shop.url("/").split("//", 1)[1].rstrip("/")
        configure_source(repo, name="rivals", connector="price_tracker", options={
            "urls": [shop.url("/p/a"), {"url": shop.url("/p/b"), "seller": "RivalCo"}, shop.url("/p/c.html"),
                     shop.url("/p/none"), shop.url("/private/d"), {"url": other.url("/item/9"), "sku": "Z-9"}],
            "selectors": {host: {"price": ".now-price"}}})
        first = run_source(repo, settings, "rivals")
        assert not shop.hits("/private/d"), "a disallowed page must not be requested"
        second = run_source(repo, settings, "rivals")  # /p/a answers 304 to its ETag
        prices["a"] = 18.0
        third = run_source(repo, settings, "rivals")
        assert shop.hits("/p/a")[1].headers.get("if-none-match") == '"v20.0"'
        assert shop.hits("/robots.txt")[0].headers["user-agent"] == settings.sync_user_agent
    assert first["status"] == "partial" and first["rows"] == 3, first
    reasons = {e["item"].rsplit("/", 2)[-2] + "/" + e["item"].rsplit("/", 1)[-1]: e["reason"] for e in first["errors"]}
    assert reasons["p/none"].startswith("no price found")
    assert reasons["private/d"] == "disallowed by robots.txt"
    assert reasons["item/9"] == "HTTP 500 after 3 attempts"
    assert second["rows"] == 2 and third["rows"] == 3  # a 304 stores no new observation
    with repo.engine.connect() as conn:
        hist = conn.execute(repo.scoped(m.price_history, m.price_history.c.sku, m.price_history.c.price,
                                        m.price_history.c.currency, m.price_history.c.seller)
                            .order_by(m.price_history.c.id)).all()
        listings = conn.execute(repo.scoped(m.listings, m.listings.c.sku, m.listings.c.price,
                                            m.listings.c.is_own)).all()
    assert [h.price for h in hist if h.sku == "A-1"] == [20.0, 18.0]
    assert {h.sku: h.currency for h in hist} == {"A-1": "EUR", "B-1": "GBP", "c": "GBP"}
    assert next(h.seller for h in hist if h.sku == "B-1") == "RivalCo"
    assert sorted((li.sku, li.price) for li in listings) == [("A-1", 18.0), ("B-1", 9.5), ("c", 7.25)]
    assert not any(li.is_own for li in listings)
    assert "1 prices changed" in third["message"]
    batch = repo.get_batch(third["batch_ids"][0])
    assert (batch["source"], batch["kind"]) == ("sync", "listings")


def test_price_tracker_reads_listing_urls(lite_repo: Repository) -> None:
    with ScriptedServer() as shop:
        shop.route("/robots.txt", Reply(404))
        shop.route("/l/1", Reply(200, json_ld_page("L-1", 5)))
        with lite_repo.engine.begin() as conn:
            conn.execute(sa.insert(m.listings), [
                {"tenant_id": lite_repo.tenant_id, "sku": "MINE", "marketplace": "own", "seller": None, "is_own": True,
                 "url": shop.url("/l/own")},
                {"tenant_id": lite_repo.tenant_id, "sku": "L-1", "marketplace": "rival.example", "seller": "R",
                 "is_own": False, "url": shop.url("/l/1")}])
        configure_source(lite_repo, name="from-listings", connector="price_tracker",
                         options={"use_listing_urls": True})
        run = run_source(lite_repo, sync_settings(), "from-listings")
        assert not shop.hits("/l/own")
    assert run["status"] == "ok" and run["rows"] == 1
    with lite_repo.engine.connect() as conn:
        rows = conn.execute(lite_repo.scoped(m.listings, m.listings.c.sku, m.listings.c.price)
                            .where(m.listings.c.is_own.is_(sa.false()))).all()
    assert [(r.sku, r.price) for r in rows] == [("L-1", 5.0)]  # the existing listing updated, not doubled


def test_tracked_price_changes_reach_the_pricing_agents_change_detection(lite_repo: Repository) -> None:
    """Two runs with a competitor's price cut by 12%: the pricing agent's step detection (the same call the
    agent makes on competitor_price_history) finds it with the default >5% threshold."""
    from ecomintel.agents.pricing_changes import steps

    price = {"v": 50.0}
    with ScriptedServer() as shop:
        shop.route("/robots.txt", Reply(404))
        shop.dynamic = lambda path, h: Reply(200, json_ld_page("KETTLE", price["v"])) if path == "/p/k" else None
        configure_source(lite_repo, name="rivals", connector="price_tracker", options={"urls": [shop.url("/p/k")]})
        run_source(lite_repo, sync_settings(), "rivals")
        price["v"] = 44.0
        run_source(lite_repo, sync_settings(), "rivals")
    found = steps(lite_repo.competitor_price_history(), ["marketplace", "seller", "sku"], when="observed_at",
                  threshold_pct=5.0)
    assert found[["sku", "before", "after"]].values.tolist() == [["KETTLE", 50.0, 44.0]]
    assert round(float(found["change_pct"].iloc[0]), 1) == -12.0
