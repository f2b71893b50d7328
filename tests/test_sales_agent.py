"""The sales agent on real SQLite and PostgreSQL with online_retail_small.csv; every answer is recomputed in
pandas from the CSV (tests/sales_helpers.py) and compared."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from ecomintel.agents.base import AgentResult
from ecomintel.agents.registry import get_agent
from ecomintel.agents.sales_context import NON_PRODUCT_SKUS, is_non_product_sku
from ecomintel.agents.time_buckets import PeriodSpec, previous_period
from ecomintel.ask.plan import Plan
from ecomintel.db.repository import Repository
from tests.conftest import new_tenant_ctx
from tests.sales_helpers import is_product, load_via_ingest, retail_engine, select, truth_metrics

NOV = {"start": "2011-11-01", "end": "2011-11-30", "label": "Nov 2011"}
OCT = {"start": "2011-10-01", "end": "2011-10-31", "label": "Oct 2011"}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def retail(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Repository, pd.DataFrame]]:
    pg_url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    engine = retail_engine(request.param, tmp_path_factory.mktemp("agent"), pg_url)
    repo = Repository(engine, new_tenant_ctx(engine, "agent"))
    truth = load_via_ingest(repo)
    yield repo, truth
    engine.dispose()


def run(repo: Repository, agent: str = "sales", **plan: Any) -> AgentResult:
    params = {"intent": "overview", "agents": [agent], "metric": "revenue", "periods": [], "group_by": None,
              "filters": {}, "top_n": 10, "order": "desc", "mode": "quick", **plan}
    result = get_agent(agent).run(repo.ctx, repo, Plan.model_validate(params))
    json.dumps(result.to_dict())  # everything an agent returns must be JSON-ready
    return result


def close(a: Any, b: float) -> bool:
    return abs(float(a) - b) <= max(0.011, 1e-6 * abs(b))  # tables are rounded to 2 decimals


def table(result: AgentResult, i: int = 0) -> pd.DataFrame:
    t = result.tables[i]
    return pd.DataFrame(t.rows, columns=t.columns)


def test_non_product_rule() -> None:
    assert {"POST", "DOT", "AMAZONFEE", "BANK CHARGES"} <= NON_PRODUCT_SKUS
    assert is_non_product_sku("post") and is_non_product_sku("gift_0001_20") and is_non_product_sku(" M ")
    assert not is_non_product_sku("85123A") and not is_non_product_sku("MUG")


def test_top_products_by_revenue(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, df = retail
    r = run(repo, intent="top_items", group_by="product", periods=[NOV], top_n=10)
    part = select(df, NOV["start"], NOV["end"])
    prod = part[part.sku.map(is_product)].groupby("sku").revenue.sum().reset_index()
    want = prod.sort_values(["revenue", "sku"], ascending=[False, True]).head(10)
    got = table(r)
    assert r.tables[0].columns[:3] == ["sku", "product", "revenue"]
    assert got.sku.tolist() == want.sku.tolist()
    assert all(close(a, b) for a, b in zip(got.revenue, want.revenue, strict=True))
    assert got["product"].iloc[0]  # real names next to the codes
    assert r.metrics["revenue"] == pytest.approx(part.revenue.sum())  # totals keep non-product lines
    excluded = sorted(set(part.sku[~part.sku.map(is_product)]))
    warning = next(w for w in r.warnings if w.startswith("Non-product lines excluded"))
    assert all(code in warning for code in excluded)
    assert any("Partial period" in w for w in r.warnings)  # data ends 2011-11-10
    assert r.charts and r.charts[0].figure["data"][0]["type"] == "bar"
    assert r.evidence[0].rows == len(part) and r.evidence[0].batch_ids


def test_top_products_by_orders_and_bottom_countries(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, df = retail
    part = select(df, OCT["start"], OCT["end"])
    sold = part[part.sold & part.sku.map(is_product)]
    want = sold.groupby("sku").order_id.nunique().reset_index()
    want = want.sort_values(["order_id", "sku"], ascending=[False, True]).head(5)
    r = run(repo, intent="top_items", group_by="product", metric="orders", periods=[OCT], top_n=5)
    got = table(r)
    assert got.columns[:3].tolist() == ["sku", "product", "orders"]
    assert got.orders.tolist() == want.order_id.tolist()
    truth_by_sku = sold.groupby("sku").order_id.nunique()
    assert all(truth_by_sku[s] == o for s, o in zip(got.sku, got.orders, strict=True))

    r = run(repo, intent="bottom_items", group_by="country", periods=[OCT], top_n=3)
    want_c = part.groupby("country").revenue.sum().sort_values().head(3)
    got = table(r)
    assert got.columns[:2].tolist() == ["country", "revenue"]
    assert all(close(a, b) for a, b in zip(got.revenue, want_c.values, strict=True))


def test_country_breakdown_excluding_uk(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, df = retail
    r = run(repo, intent="breakdown", group_by="country", periods=[NOV],
            filters={"exclude_countries": ["United Kingdom"]})
    part = select(df, NOV["start"], NOV["end"])
    uk = part[part.country == "United Kingdom"].revenue.sum()
    rest = part[part.country != "United Kingdom"]
    want = rest.groupby("country").revenue.sum()
    got = table(r).set_index("country")
    assert set(got.index) == set(want.index)
    assert all(close(got.loc[c, "revenue"], v) for c, v in want.items())
    assert r.metrics["revenue"] == pytest.approx(rest.revenue.sum())
    assert any(w.startswith("Excluded United Kingdom") and f"{uk:,.2f}" in w for w in r.warnings)


def test_compare_periods_metrics(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, df = retail
    cur = truth_metrics(select(df, NOV["start"], NOV["end"]))
    prev = truth_metrics(select(df, OCT["start"], OCT["end"]))
    for periods in ([NOV, OCT], [OCT, NOV]):  # the later period is "current" whatever the order
        r = run(repo, intent="compare_periods", periods=periods)
        for k in ("revenue", "units", "orders", "customers", "aov"):
            assert r.metrics[k] == pytest.approx(cur[k])
            assert r.metrics[f"{k}_previous"] == pytest.approx(prev[k])
            assert r.metrics[f"{k}_change"] == pytest.approx(cur[k] - prev[k])
            assert r.metrics[f"{k}_change_pct"] == pytest.approx((cur[k] - prev[k]) / abs(prev[k]) * 100)
    assert table(r).columns.tolist() == ["metric", "current", "previous", "change", "change_pct"]


def test_why_change_decomposition_sums_to_total(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, df = retail
    r = run(repo, intent="why_change", periods=[NOV, OCT], top_n=5)
    total = select(df, NOV["start"], NOV["end"]).revenue.sum() - select(df, OCT["start"], OCT["end"]).revenue.sum()
    assert r.metrics["revenue_change"] == pytest.approx(total)
    products, countries, effects = table(r, 0), table(r, 1), table(r, 2)
    assert products.columns[:3].tolist() == ["sku", "product", "revenue"]
    assert products.revenue_change.sum() == pytest.approx(total, abs=0.05)  # rows rounded to cents
    assert countries.revenue_change.sum() == pytest.approx(total, abs=0.05)
    parts = ("volume_effect", "price_effect", "new_products", "discontinued_products", "other_effect")
    assert sum(r.metrics[k] for k in parts) == pytest.approx(total)
    assert effects.effect.tolist()[-1] == "total_change"
    # the top product driver is the SKU with the largest absolute change (pandas)
    a = select(df, NOV["start"], NOV["end"])
    b = select(df, OCT["start"], OCT["end"])
    delta = a[a.sku.map(is_product)].groupby("sku").revenue.sum().sub(
        b[b.sku.map(is_product)].groupby("sku").revenue.sum(), fill_value=0.0)
    assert products.sku.iloc[0] == delta.abs().idxmax()
    assert products.sku.iloc[0] in r.summary


def test_movers_risers_and_fallers(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, df = retail
    a = select(df, NOV["start"], NOV["end"])
    b = select(df, OCT["start"], OCT["end"])
    delta = a[a.sku.map(is_product)].groupby("sku").revenue.sum().sub(
        b[b.sku.map(is_product)].groupby("sku").revenue.sum(), fill_value=0.0).rename("d").reset_index()
    risers = delta[delta.d > 0].sort_values(["d", "sku"], ascending=[False, True]).head(5)
    fallers = delta[delta.d < 0].sort_values(["d", "sku"]).head(5)
    r = run(repo, intent="movers", periods=[NOV, OCT], top_n=5)
    assert table(r, 0).sku.tolist() == risers.sku.tolist()
    assert table(r, 1).sku.tolist() == fallers.sku.tolist()
    assert "revenue_change" in r.tables[0].columns
    down = run(repo, intent="movers", periods=[NOV, OCT], top_n=5, order="asc")
    assert table(down, 0).sku.tolist() == fallers.sku.tolist()


def test_returns_ranking(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, df = retail
    r = run(repo, intent="returns", metric="returns", top_n=5)
    ret = df[df.returned & df.sku.map(is_product)]
    units = (-ret.groupby("sku").quantity.sum()).rename("u").reset_index()
    want = units.sort_values(["u", "sku"], ascending=[False, True]).head(5)
    got = table(r)
    assert got.columns[:4].tolist() == ["sku", "product", "returned_units", "returned_value"]
    assert got.sku.tolist() == want.sku.tolist()
    assert got.returned_units.tolist() == pytest.approx(want.u.tolist())
    value = (-ret.groupby("sku").revenue.sum()).sort_values(ascending=False)
    assert table(r, 1).sku.iloc[0] == value.index[0]
    assert r.metrics["returned_units"] == pytest.approx(-df[df.returned].quantity.sum())
    by_country = run(repo, intent="returns", group_by="country")
    want_c = -df[df.returned].groupby("country").quantity.sum()
    got_c = table(by_country).set_index("country")
    assert all(got_c.loc[c, "returned_units"] == pytest.approx(v) for c, v in want_c.items())


def test_weekday_and_hour_patterns(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, df = retail
    r = run(repo, intent="patterns", group_by="weekday", metric="orders")
    got = table(r)
    sold = df[df.sold]
    want = sold.groupby(sold.sold_at.dt.day_name()).order_id.nunique()
    assert got.weekday.tolist() == ["Wednesday", "Thursday"]  # calendar order
    assert all(got.set_index("weekday").loc[d, "orders"] == v for d, v in want.items())
    assert any("No sales on Monday" in w for w in r.warnings)
    h = run(repo, intent="patterns", group_by="hour")
    want_h = df.groupby(df.sold_at.dt.hour).revenue.sum()
    got_h = table(h)
    assert got_h.hour.tolist() == sorted(want_h.index.tolist())
    assert all(close(v, want_h[k]) for k, v in zip(got_h.hour, got_h.revenue, strict=True))


def test_trend_by_week_flags_partial_weeks(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, df = retail
    r = run(repo, intent="trend", group_by="week", metric="units",
            periods=[{"start": "2011-10-01", "end": "2011-11-30", "label": ""}])
    got = table(r)
    assert got.week.tolist() == ["2011-W40", "2011-W45"]
    assert got.units.sum() == pytest.approx(df.units.sum())
    assert any(w.startswith("Partial week") for w in r.warnings)


def test_overview_and_unknown_intent(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, df = retail
    r = run(repo, intent="overview", periods=[NOV])
    want = truth_metrics(select(df, NOV["start"], NOV["end"]))
    assert {k: r.metrics[k] for k in want} == pytest.approx(want)
    assert "Nov 2011 = 2011-11-01..2011-11-30" in r.summary
    assert any(w.startswith("Revenue = net") for w in r.warnings)
    u = run(repo, intent="unknown")
    assert u.status == "ok" and u.confidence <= 0.5 and u.metrics["revenue"] == pytest.approx(df.revenue.sum())


def test_period_outside_data_and_empty_tenant(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, _ = retail
    r = run(repo, intent="top_items", periods=[{"start": "2010-01-01", "end": "2010-01-31", "label": "Jan 2010"}])
    assert r.tables[0].rows == [] and r.confidence <= 0.2
    assert any("outside the loaded sales data" in w for w in r.warnings)
    empty = Repository(repo.engine, new_tenant_ctx(repo.engine, "empty"))
    e = run(empty, intent="top_items")
    assert e.status == "partial" and e.confidence == 0.0 and "No sales data" in e.summary


def test_deep_agent_adds_context(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, _ = retail
    r = run(repo, agent="sales_deep", intent="top_items", group_by="product", periods=[NOV, OCT])
    titles = [t.title for t in r.tables]
    assert len(titles) >= 6
    assert any("by country" in t for t in titles) and any("returned" in t for t in titles)
    assert any("risers" in t for t in titles) and any("price vs volume" in t for t in titles)


def test_previous_period_rules() -> None:
    from datetime import date

    nov = PeriodSpec(date(2011, 11, 1), date(2011, 11, 30), "Nov 2011")
    assert previous_period(nov).start == date(2011, 10, 1) and previous_period(nov).end == date(2011, 10, 31)
    q1 = PeriodSpec(date(2011, 1, 1), date(2011, 3, 31), "Q1 2011")
    prev = previous_period(q1)
    assert (prev.start, prev.end, prev.label) == (date(2010, 10, 1), date(2010, 12, 31), "Q4 2010")
    week = PeriodSpec(date(2011, 11, 28), date(2011, 12, 4), "")
    assert (previous_period(week).start, previous_period(week).end) == (date(2011, 11, 21), date(2011, 11, 27))


@pytest.mark.parametrize("intent", ["overview", "top_items", "bottom_items", "breakdown", "trend",
                                    "compare_periods", "why_change", "movers", "returns", "patterns"])
@pytest.mark.parametrize("group_by", [None, "product", "country", "week", "hour"])
def test_no_matching_lines_never_raises(retail: tuple[Repository, pd.DataFrame], intent: str,
                                        group_by: str | None) -> None:
    """Filters that match nothing give an empty, warned answer for every intent and grouping."""
    repo, _ = retail
    r = run(repo, intent=intent, group_by=group_by, periods=[NOV, OCT] if intent in
            ("compare_periods", "why_change", "movers") else [NOV], filters={"countries": ["Atlantis"]})
    assert r.status == "ok"
    assert any("No sales lines match" in w for w in r.warnings)
    assert r.metrics["revenue"] == 0
