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
