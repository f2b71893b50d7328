"""AppTest of Settings → Syncs on a real SQLite database: save a feed pointing at a local server, run it
from the page (a background job), see the run there and on the Data Quality page; a pasted token is refused
with the hint."""

from __future__ import annotations

import time

import pytest

from ecomintel.context import RequestContext
from ecomintel.db.engine import make_engine, migrate
from ecomintel.db.repository import Repository
from ecomintel.db.tenants import ensure_tenant
from tests.sync_servers import Reply, ScriptedServer
from tests.test_ui_apptest import _app, _assert_clean, _frame_with, db_url  # noqa: F401  (fixture)


def test_feed_configured_run_and_shown(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("ECOMINTEL_METRICS_PORT", "0")
    with ScriptedServer() as server:
        server.route("/prices.csv", Reply(200, "sku,name,price\nF-1,Fan,12.00\nF-2,Heater,40\n"))
        at = _app().switch_page("pages/settings.py").run()
        _assert_clean(at)
        at.text_input(key="sync_feed_url").input(server.url("/prices.csv"))
        at.text_input(key="sync_feed_secret").input("sk-live-123456")
        at.button(key="FormSubmitter:sync_feed_form-Save feed").click().run()
        assert "reference" in " ".join(e.value for e in at.error)
        at.text_input(key="sync_feed_secret").input("")
        at.button(key="FormSubmitter:sync_feed_form-Save feed").click().run()
        _assert_clean(at)
        assert "Saved 'feed'." in [s.value for s in at.success]
        at.button(key="sync_run_now").click().run()
        _assert_clean(at)
        engine = make_engine(db_url)
        migrate(engine)
        repo = Repository(engine, RequestContext(tenant_id=ensure_tenant(engine, "demo", "Demo").id))
        for _ in range(200):
            runs = repo.list_sync_runs()
            if runs and runs[0]["status"] != "running":
                break
            time.sleep(0.1)
        assert [(r["status"], r["rows"]) for r in runs] == [("ok", 2)]
        at.run()
        _assert_clean(at)
        shown = _frame_with(at, "pages failed")
        assert shown[["source", "status", "rows"]].values.tolist() == [["feed", "ok", 2]]
        assert "2 rows stored" in shown["message"].iloc[0]
        dq = at.switch_page("pages/data_quality.py").run()  # the Data Quality page lists the runs too
        _assert_clean(dq)
        assert _frame_with(dq, "pages failed")[["source", "status"]].values.tolist() == [["feed", "ok"]]
        engine.dispose()


def _tenant_repo(url: str, slug: str = "demo") -> Repository:
    engine = make_engine(url)
    migrate(engine)
    return Repository(engine, RequestContext(tenant_id=ensure_tenant(engine, slug, slug.title()).id))


def test_shop_saved_with_a_secret_reference_edited_disabled_and_deleted(db_url: str,  # noqa: F811
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOMINTEL_METRICS_PORT", "0")
    monkeypatch.setenv("SHOP_TOKEN_T", "shpat-secret")
    monkeypatch.delenv("SHOP_TOKEN_MISSING", raising=False)
    at = _app().switch_page("pages/settings.py").run()
    _assert_clean(at)
    at.text_input(key="sync_shop_url").input("http://127.0.0.1:9/admin/api/2024-10")
    at.text_input(key="sync_shop_secret").input("shpat-secret")  # the token itself: refused
    at.button(key="FormSubmitter:sync_shop_form-Save shop").click().run()
    assert "reference" in " ".join(e.value for e in at.error)
    at.text_input(key="sync_shop_secret").input("env:SHOP_TOKEN_MISSING")
    at.multiselect(key="sync_shop_resources").set_value(["orders"])
    at.text_input(key="sync_shop_schedule").input("0 3 * * *")
    at.button(key="FormSubmitter:sync_shop_form-Save shop").click().run()
    _assert_clean(at)
    assert "Saved 'shop'." in [s.value for s in at.success]
    assert any("SHOP_TOKEN_MISSING is not set" in w.value for w in at.warning)
    shown = _frame_with(at, "secret")
    assert shown[["name", "kind", "schedule", "secret"]].values.tolist() == [
        ["shop", "Shopify-style shop", "0 3 * * *", "env:SHOP_TOKEN_MISSING (not set)"]]
    repo = _tenant_repo(db_url)
    stored = repo.get_sync_source("shop")
    assert (stored["connector"], stored["secret_ref"], stored["options"]["resources"]) == (
        "shopify", "env:SHOP_TOKEN_MISSING", ["orders"])
    assert "shpat-secret" not in str(stored)
    # Edit loads it into the form; a changed secret reference saved under the same name replaces it
    at.button(key="sync_edit").click().run()
    _assert_clean(at)
    assert at.text_input(key="sync_shop_url").value == "http://127.0.0.1:9/admin/api/2024-10"
    assert at.multiselect(key="sync_shop_resources").value == ["orders"]
    at.text_input(key="sync_shop_secret").input("env:SHOP_TOKEN_T")
    at.button(key="FormSubmitter:sync_shop_form-Save shop").click().run()
    _assert_clean(at)
    assert _frame_with(at, "secret")["secret"].tolist() == ["env:SHOP_TOKEN_T (set)"]
    at.button(key="sync_toggle").click().run()
    _assert_clean(at)
    assert not repo.get_sync_source("shop")["enabled"]
    at.checkbox(key="sync_delete_confirm").check().run()
    at.button(key="sync_delete").click().run()
    _assert_clean(at)
    assert repo.list_sync_sources() == []
    repo.engine.dispose()


def test_viewer_sees_the_sources_but_no_forms_or_buttons(db_url: str,  # noqa: F811
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from ecomintel.db.tenants import create_user
    from ecomintel.sync.sources import configure_source

    monkeypatch.setenv("ECOMINTEL_METRICS_PORT", "0")
    monkeypatch.setenv("ECOMINTEL_DEMO_MODE", "0")
    repo = _tenant_repo(db_url, "acme")
    configure_source(repo, name="rivals", connector="price_tracker", options={"urls": ["https://r.example/p/1"]})
    create_user(repo.engine, repo.tenant_id, "vera", "viewer password", role="viewer")
    repo.engine.dispose()
    at = _app()
    at.text_input[0].set_value("vera")
    at.text_input[1].set_value("viewer password")
    at.button(key="FormSubmitter:login-Sign in").click().run()
    at.switch_page("pages/settings.py").run()
    _assert_clean(at)
    assert _frame_with(at, "target")["name"].tolist() == ["rivals"]
    keys = {w.key for w in [*at.button, *at.text_input]}
    assert not keys & {"sync_run_now", "sync_edit", "sync_delete", "sync_shop_url", "sync_feed_url"}
