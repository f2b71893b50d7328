"""Issue 13's "done when", in a real browser: a newcomer configures a data feed, a Shopify-style shop and a
competitor page list in Settings → Syncs (all pointing at local servers on 127.0.0.1), the in-process
scheduler runs them, "Run now" fetches the competitor page again after its price dropped, and then:
Recent runs and the Data Quality page list the runs, the Pricing page shows the competitor price change,
the metrics port serves the sync counters, the app's log lines are JSON with the request context, and
`ecomintel health` reports the last sync.

One test on purpose: every step needs the state the one before it left (a single app, one database).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import body_text, open_page, wait_for_app
from tests.e2e.server import ROOT, free_port, start_app, stop_app
from tests.sync_helpers import json_ld_page
from tests.sync_servers import Reply, ScriptedServer

pytestmark = pytest.mark.e2e

FEED_TOKEN, SHOP_TOKEN = "feed-token-e2e", "shpat_e2e"
ORDERS_CSV = ("order_id,sku,product_name,quantity,unit_price,currency,sold_at\n"
              "F-1001,KETTLE,Kettle K1,2,49.00,EUR,2026-11-02 10:00:00\n"
              "F-1002,TOASTER,Toaster T2,1,35.00,EUR,2026-11-03 11:30:00\n"
              "F-1003,KETTLE,Kettle K1,1,49.00,EUR,2026-11-04 09:15:00\n")
SYNC_WAIT_MS = 150_000  # the in-process scheduler looks every 30 s; a run then takes a few seconds


def shop_products(first: int, n: int) -> dict[str, Any]:
    return {"products": [{"id": i, "title": f"Shop item {i}", "vendor": "Acme", "product_type": "Kitchen",
                          "variants": [{"sku": f"SHOP-{i}", "price": f"{10 + i}.00", "inventory_quantity": 5}]}
                         for i in range(first, first + n)]}


SHOP_ORDERS = {"orders": [{"id": 1, "name": "#5001", "currency": "EUR", "created_at": "2026-11-05T10:00:00Z",
                           "customer": {"id": 77}, "shipping_address": {"country": "Germany"},
                           "line_items": [{"sku": "SHOP-1", "title": "Shop item 1", "quantity": 3,
                                           "price": "11.00"}]}]}


@pytest.fixture
def servers() -> Iterator[dict[str, Any]]:
    """feed: an orders CSV behind a bearer token; rival: a JSON-LD product page whose price the test changes;
    shop: a Shopify-style API (products on two pages via Link, orders) that refuses a wrong token."""
    price = {"KETTLE": 49.90}
    with ScriptedServer() as feed, ScriptedServer() as rival, ScriptedServer() as shop:
        feed.dynamic = lambda path, h: (Reply(200, ORDERS_CSV, {"Content-Type": "text/csv"})
                                        if h.get("authorization") == f"Bearer {FEED_TOKEN}" else Reply(401))
        rival.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /private/\n"))
        rival.dynamic = lambda path, h: (Reply(200, json_ld_page("KETTLE", price["KETTLE"], name="Kettle K1"))
                                         if path == "/p/kettle" else None)
        api = "/admin/api/2024-10"
        page2 = shop.url(f"{api}/products.json?limit=250&page_info=p2")

        def shop_reply(path: str, h: dict[str, str]) -> Reply | None:
            if h.get("x-shopify-access-token") != SHOP_TOKEN:
                return Reply(401, '{"errors": "[API] Invalid API key or access token"}')
            return {f"{api}/products.json?limit=250": Reply(200, json.dumps(shop_products(1, 2)),
                                                             {"Link": f'<{page2}>; rel="next"'}),
                    f"{api}/products.json?limit=250&page_info=p2": Reply(200, json.dumps(shop_products(3, 1))),
                    f"{api}/orders.json?limit=250": Reply(200, json.dumps(SHOP_ORDERS))}.get(path, Reply(404))

        shop.dynamic = shop_reply
        yield {"feed": feed, "rival": rival, "shop": shop, "price": price, "api": shop.url(api)}


@pytest.fixture
def sync_app(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The real app on a fresh SQLite file with its metrics port, the tokens in its environment and fast,
    polite-enough sync settings for local servers."""
    metrics_port = free_port()
    url = f"sqlite:///{tmp_path / 'app.db'}"
    log_path = tmp_path / "streamlit.log"
    env = {"ECOMINTEL_METRICS_PORT": str(metrics_port), "E2E_FEED_TOKEN": FEED_TOKEN, "E2E_SHOP_TOKEN": SHOP_TOKEN,
           "ECOMINTEL_SYNC_HOST_RPS": "20", "ECOMINTEL_SYNC_RETRIES": "1", "ECOMINTEL_SYNC_TIMEOUT_S": "5",
           "ECOMINTEL_SECRETS_DIR": str(tmp_path / "secrets")}
    proc, base = start_app(url, log_path=log_path, extra_env=env)
    try:
        yield {"base": base, "database_url": url, "metrics_port": metrics_port, "log": log_path}
    finally:
        stop_app(proc)


def _form(page: Any, title: str) -> Any:
    return page.locator('[data-testid="stForm"]', has_text=title).first


def _fill(form: Any, label: str, value: str) -> None:
    box = form.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Tab")


def _submit(page: Any, form: Any, button: str) -> None:
    form.get_by_role("button", name=button).click()
    wait_for_app(page)


def _syncs_tab(page: Any, base: str) -> None:
    open_page(page, base, "settings")
    page.get_by_role("tab", name="Syncs", exact=True).click()
    _form(page, "Data feed").wait_for()


def _runs_text(page: Any) -> str:
    """The Recent runs table's cells as one string (Streamlit's data grid draws on a canvas but keeps an
    accessible copy of its cells: text_content, not inner_text, which is empty for it)."""
    grid = page.locator('[data-testid="stDataFrame"]').filter(has_text="pages failed").first
    return str(grid.text_content(timeout=5_000) or "")


def _wait_for_runs(page: Any, predicate: Any, what: str, timeout_ms: int = SYNC_WAIT_MS) -> None:
    """Until the self-refreshing Recent runs panel shows what `predicate` wants (it redraws every 5 s)."""
    deadline_ms, step = timeout_ms, 2_000
    while deadline_ms > 0:
        try:
            page.get_by_text("Recent runs").first.wait_for(timeout=step)
            if predicate(_runs_text(page)):
                return
        except Exception:  # not drawn yet: keep waiting
            pass
        page.wait_for_timeout(step)
        deadline_ms -= 2 * step
    raise AssertionError(f"Recent runs never showed {what}: {_runs_text(page)!r}")


def _choose(page: Any, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def test_newcomer_configures_three_sources_and_sees_the_data_arrive(page: Any, servers: dict[str, Any],
                                                                      sync_app: dict[str, Any],
                                                                      tmp_path: Path) -> None:
    base = sync_app["base"]
    _syncs_tab(page, base)
    page.get_by_text("No syncs configured yet.").wait_for()

    feed = _form(page, "Data feed")
    _fill(feed, "Feed URL", servers["feed"].url("/feeds/orders.csv"))
    feed.get_by_label("Contains").click()
    page.get_by_role("option", name="orders", exact=True).click()
    _fill(feed, "Name", "supplier-orders")
    _fill(feed, "Secret reference", "env:E2E_FEED_TOKEN")
    _fill(feed, "Schedule", "every 1d")
    _submit(page, feed, "Save feed")
    page.get_by_text("Saved 'supplier-orders'.").wait_for()

    shop = _form(page, "Shopify-style shop")
    _fill(shop, "Shop API base URL", servers["api"])
    _fill(shop, "Name", "webshop")
    _fill(shop, "Access token reference", "env:E2E_SHOP_TOKEN")
    _fill(shop, "Schedule", "0 3 * * *")  # a cron source waits for its slot: this one runs on demand below
    _submit(page, shop, "Save shop")
    page.get_by_text("Saved 'webshop'.").wait_for()

    pages = _form(page, "Competitor prices")
    _fill(pages, "Product page URLs (one per line)",
          servers["rival"].url("/p/kettle") + "\n" + servers["rival"].url("/private/hidden"))
    _fill(pages, "Name", "rivals")
    _fill(pages, "Schedule", "every 1m")
    _submit(page, pages, "Save page list")
    page.get_by_text("Saved 'rivals'.").wait_for()
    sources = page.locator('[data-testid="stDataFrame"]').filter(has_text="last run").first.text_content()
    assert "env:E2E_FEED_TOKEN (set)" in sources and "env:E2E_SHOP_TOKEN (set)" in sources, sources
    assert "Traceback" not in body_text(page) and not page.locator('[data-testid="stException"]').count()

    # the in-process scheduler picks up the two interval sources by itself
    _wait_for_runs(page, lambda t: "supplier-orders" in t and "rivals" in t and "running" not in t,
                   "the scheduled feed and tracker runs")
    runs = _runs_text(page)
    assert "schedule" in runs and "3 rows stored" in runs, runs

    # "Run now": the shop (cron, not due yet), then the tracker again after the competitor cut the price
    _choose(page, "Source", "webshop")
    page.get_by_role("button", name="Run now").click()
    page.get_by_text("Sync 'webshop' started").wait_for()
    _wait_for_runs(page, lambda t: "webshop" in t and "running" not in t, "the shop's manual run")
    assert "4 rows stored" in _runs_text(page) or "3 rows stored" in _runs_text(page)
    servers["price"]["KETTLE"] = 42.50
    _choose(page, "Source", "rivals")
    page.get_by_role("button", name="Run now").click()
    page.get_by_text("Sync 'rivals' started").wait_for()
    _wait_for_runs(page, lambda t: "1 prices changed" in t and "running" not in t, "the price change")
    assert not servers["rival"].hits("/private/hidden"), "robots.txt disallows it"
    assert all(r.headers.get("x-shopify-access-token") == SHOP_TOKEN for r in servers["shop"].requests)

    # Data Quality lists the runs
    open_page(page, base, "data_quality")
    page.get_by_text("Recent runs").first.wait_for()
    dq = _runs_text(page)
    assert all(name in dq for name in ("supplier-orders", "webshop", "rivals")), dq

    # Pricing → Changes: the competitor's cut from 49.90 to 42.50 (−14.8%)
    open_page(page, base, "pricing")
    page.get_by_role("tab", name="Changes").click()
    page.get_by_text("Competitors: 1 price changes").first.wait_for()
    assert "Traceback" not in body_text(page)

    # the metrics port serves the sync counters
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"http://127.0.0.1:{sync_app['metrics_port']}/metrics", timeout=10) as resp:
        families = {f.name: f for f in text_string_to_metric_families(resp.read().decode())}
    runs_total = {(s.labels["connector"], s.labels["status"]): s.value
                  for s in families["ecomintel_sync_runs"].samples if s.name.endswith("_total")}
    assert {c for c, _ in runs_total} == {"http_feed", "shopify", "price_tracker"}, runs_total
    assert sum(runs_total.values()) >= 4

    # the app's log lines are JSON and a sync's lines carry the tenant and the run
    lines = [json.loads(line) for line in sync_app["log"].read_text().splitlines() if line.startswith("{")]
    finished = [e for e in lines if e.get("message") == "sync finished"]
    assert finished and all(e.get("tenant_id") and e.get("sync_run_id") for e in finished), finished[:2]

    # `ecomintel health` reports the last sync
    env = {**os.environ, "ECOMINTEL_DATABASE_URL": sync_app["database_url"], "ECOMINTEL_REDIS_URL": ""}
    done = subprocess.run([sys.executable, "-m", "ecomintel.cli", "health", "--json"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["healthy"], report
    last = next(c for c in report["checks"] if c["name"] == "last sync")
    assert last["ok"] and "rivals" in last["detail"], last
