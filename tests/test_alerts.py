"""Home's alerts and KPI tiles on real data: price moves beyond the user's threshold, stock cover below lead
time, a failing source left out with a warning, tiles against the period before."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from ecomintel import alerts, dashboard
from ecomintel.alerts import Alert
from ecomintel.config import load_settings
from ecomintel.db import models as m
from ecomintel.db.repository import Repository
from ecomintel.ingest.pipeline import ingest_file
from ecomintel.preferences import preferences, save_preferences
from tests.conftest import SAMPLES, new_tenant_ctx


def test_price_moves_follow_the_users_threshold(engine: sa.Engine) -> None:
    ctx = new_tenant_ctx(engine, "alert", role="analyst")
    repo = Repository(engine, ctx)
    rows = [("SKU1", 10.0, datetime(2024, 1, 1)), ("SKU1", 10.4, datetime(2024, 1, 2)),  # +4%
            ("SKU2", 20.0, datetime(2024, 1, 1)), ("SKU2", 26.0, datetime(2024, 1, 2))]  # +30%
    with repo.engine.begin() as conn:
        conn.execute(sa.insert(m.price_history), [
            {"tenant_id": ctx.tenant_id, "sku": s, "marketplace": "shop", "seller": "rival", "price": p,
             "observed_at": t} for s, p, t in rows])
    prefs = preferences(repo)
    assert prefs.price_change_pct == 5.0
    found = alerts.price_alerts(repo, prefs)
    assert [a.title.split()[2] for a in found] == ["SKU2"] and found[0].severity == "high"
    prefs = save_preferences(repo, ctx, {"price_change_pct": 3})
    assert {a.title.split()[2] for a in alerts.price_alerts(repo, prefs)} == {"SKU1", "SKU2"}
    other = Repository(engine, new_tenant_ctx(engine, "alert"))
    assert alerts.price_alerts(other, preferences(other)) == []  # another tenant sees none of them


def test_a_failing_source_is_left_out_with_a_warning(engine: sa.Engine) -> None:
    repo = Repository(engine, new_tenant_ctx(engine, "alert"))

    def broken(repo: object, prefs: object) -> list[Alert]:
        raise RuntimeError("boom")

    def one(repo: object, prefs: object) -> list[Alert]:
        return [Alert("low", "x", "t")] * 5

    found, warnings = alerts.latest_alerts(repo, preferences(repo), sources={"broken": broken, "one": one})
    assert len(found) == alerts.PER_SOURCE and warnings == ["The broken alerts could not be read this time."]


def test_kpi_tiles_compare_with_the_period_before(engine: sa.Engine) -> None:
    ctx = new_tenant_ctx(engine, "tiles", role="analyst")
    repo = Repository(engine, ctx)
    ingest_file(repo, "sales", SAMPLES / "online_retail_small.csv", settings=load_settings({}))
    prefs = preferences(repo)
    tiles = dashboard.kpi_tiles(repo, prefs, date(2011, 11, 9), date(2011, 11, 10))
    assert [t.metric for t in tiles] == list(prefs.home_kpis)
    revenue = tiles[0]
    assert revenue.previous == 0.0 and revenue.change_pct is None  # the 2 days before have no sales
    assert revenue.value == repo.sales_totals(dashboard.SalesFilter(start=date(2011, 11, 9),
                                                                     end=date(2011, 11, 10)))["revenue"]
    assert dashboard.previous_period(date(2011, 11, 9), date(2011, 11, 10)) == (date(2011, 11, 7), date(2011, 11, 8))
