"""Best/worst periods with partial periods flagged, trends that mark partial buckets, shares with both numbers,
and averages per trading day, on a hand-made tenant (real SQLite and PostgreSQL); plus a hypothesis test that
the shares of a partition sum to 100. Expected values are computed by hand from the five lines below."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ecomintel.agents.base import AgentResult
from ecomintel.agents.charts import PARTIAL_NOTE
from ecomintel.agents.definitions import definitions_of
from ecomintel.agents.registry import get_agent
from ecomintel.ask.plan import Plan
from ecomintel.db.repository import Repository
from tests.conftest import new_tenant_ctx
from tests.sales_helpers import insert_sales, lines_frame

# Data runs Wed 2011-01-05 .. Tue 2011-03-15: January and March are partial months, February is full.
LINES = [
    ("1", "P1", "MUG", 10, 10.0, "2011-01-05 10:00", "c1", "United Kingdom"),  # 100, W01 (partial week)
    ("2", "P2", "BAG", 5, 10.0, "2011-01-20 11:00", "c2", "France"),           # 50, W03
    ("3", "P2", "BAG", 3, 10.0, "2011-02-01 10:00", "c1", "United Kingdom"),   # 30, W05
    ("4", "P1", "MUG", 2, 10.0, "2011-02-14 14:00", "c3", "United Kingdom"),   # 20, W07
    ("5", "P3", "LAMP", 50, 10.0, "2011-03-15 09:00", "c4", "Germany"),        # 500, W11 (partial week)
]


@pytest.fixture
def tenant(repo: Repository) -> Repository:
    insert_sales(repo, lines_frame(LINES), "periods.csv")
    return repo


def run(repo: Repository, **plan: Any) -> AgentResult:
    agent = plan.pop("agent", "sales")
    result = get_agent(agent).run(repo.ctx, repo, Plan.model_validate({"intent": "overview", "agents": [agent],
                                                                        **plan}))
    assert result.status == "ok", result.warnings
    return result


def rows(result: AgentResult, i: int = 0) -> list[list[Any]]:
    return result.tables[i].rows


def test_best_months_flag_partial_ones(tenant: Repository) -> None:
    r = run(tenant, intent="top_items", group_by="month")
    assert r.tables[0].columns[:3] == ["month", "revenue", "partial"]
    assert [row[:3] for row in rows(r)] == [["2011-03", 500, True], ["2011-01", 150, True], ["2011-02", 50, False]]
    assert any(w.startswith("Partial months in the ranking (flagged): 2011-03, 2011-01") for w in r.warnings)
    assert "partial" in definitions_of(r)


def test_worst_months_leave_partial_ones_out_unless_asked(tenant: Repository) -> None:
    r = run(tenant, intent="bottom_items", group_by="month")
    assert [row[:3] for row in rows(r)] == [["2011-02", 50, False]]
    assert any("left out of the worst-first ranking: 2011-01, 2011-03" in w for w in r.warnings)
    everything = run(tenant, intent="bottom_items", group_by="month", include_partial=True)
    assert [row[0] for row in rows(everything)] == ["2011-02", "2011-01", "2011-03"]


def test_worst_weeks_days_weekdays_and_hours(tenant: Repository) -> None:
    weeks = run(tenant, intent="bottom_items", group_by="week", top_n=3)
    assert [row[:2] for row in rows(weeks)] == [["2011-W07", 20], ["2011-W05", 30], ["2011-W03", 50]]
    days = run(tenant, intent="bottom_items", group_by="day", top_n=2)  # days are never partial
    assert [row[:3] for row in rows(days)] == [["2011-02-14", 20, False], ["2011-02-01", 30, False]]
    wd = run(tenant, intent="top_items", group_by="weekday")
    assert [row[:3] for row in rows(wd)][:2] == [["Tuesday", 530, False], ["Wednesday", 100, False]]
    assert not any(w.startswith("Weekdays do not occur equally often") for w in wd.warnings)  # 70 days: 10 each
    hours = run(tenant, intent="top_items", group_by="hour", metric="units", top_n=2)
    assert hours.tables[0].columns[:3] == ["hour", "units", "partial"]
    assert [row[:2] for row in rows(hours)] == [[9, 50], [10, 13], [11, 5], [14, 2]]  # every hour, ranked
    q = run(tenant, intent="top_items", group_by="quarter")
    assert [row[:3] for row in rows(q)] == [["2011-Q1", 700, True]]


def test_trend_marks_partial_buckets(tenant: Repository) -> None:
    r = run(tenant, intent="trend", group_by="month")
    assert r.tables[0].columns[:3] == ["month", "revenue", "partial"]
    assert [row[:3] for row in rows(r)] == [["2011-01", 150, True], ["2011-02", 50, False], ["2011-03", 500, True]]
    fig = r.charts[0].figure
    assert len(fig["data"]) == 2 and fig["data"][1]["line"]["dash"] == "dash"
    assert fig["data"][1]["marker"]["symbol"] == ["circle-open", "circle", "circle-open"]
    assert fig["data"][0]["y"] == [None, 50, None]  # the solid line holds only full months
    assert PARTIAL_NOTE in [a["text"] for a in fig["layout"]["annotations"]]
    assert any(w.startswith("Partial month(s) 2011-01, 2011-03") for w in r.warnings)
    weekly = run(tenant, intent="trend", group_by="week")
    assert {row[0]: row[2] for row in rows(weekly)} == {"2011-W01": True, "2011-W03": False, "2011-W05": False,
                                                       "2011-W07": False, "2011-W11": True}


def test_average_daily_revenue(tenant: Repository) -> None:
    r = run(tenant, intent="overview", metric="avg_daily_revenue")
    assert r.metrics["avg_daily_revenue"] == 140.0  # 700 over 5 trading days
    assert r.metrics["calendar_days"] == 70.0 and r.metrics["avg_daily_revenue_calendar"] == 10.0
    assert r.summary.startswith("Average daily revenue in all data")
    by_month = run(tenant, intent="trend", group_by="month", metric="avg_daily_revenue")
    assert [row[:2] for row in rows(by_month)] == [["2011-01", 75], ["2011-02", 25], ["2011-03", 500]]
    by_weekday = run(tenant, intent="patterns", group_by="weekday", metric="avg_daily_revenue")
    assert {row[0]: row[1] for row in rows(by_weekday)}["Tuesday"] == 265  # 530 over two Tuesdays
    by_country = run(tenant, intent="top_items", group_by="country", metric="avg_daily_revenue")
    assert [row[:2] for row in rows(by_country)] == [["Germany", 100], ["United Kingdom", 30], ["France", 10]]


def test_share_states_part_and_total(tenant: Repository) -> None:
    r = run(tenant, intent="share", filters={"countries": ["United Kingdom"]})
    assert (r.metrics["part"], r.metrics["total"], r.metrics["revenue"]) == (150.0, 700.0, 150.0)
    assert r.metrics["share_pct"] == pytest.approx(150 / 700 * 100)
    assert r.tables[0].columns == ["segment", "revenue", "share_pct"]
    assert rows(r) == [["United Kingdom", 150, 21.43], ["rest of all lines", 550, 78.57],
                       ["total (all lines)", 700, 100.0]]
    assert "£150.00 of £700.00" in r.summary and "21.4%" in r.summary
    assert "share" in definitions_of(r)
    outside = run(tenant, intent="share", filters={"exclude_countries": ["United Kingdom"]})
    assert outside.metrics["share_pct"] == pytest.approx(550 / 700 * 100)
    assert rows(outside)[0][0] == "outside United Kingdom"


def test_share_within_a_filtered_total(tenant: Repository) -> None:
    r = run(tenant, intent="share", filters={"countries": ["United Kingdom"], "skus": ["P1"]},
            total_filters={"countries": ["United Kingdom"]})
    assert (r.metrics["part"], r.metrics["total"]) == (120.0, 150.0) and r.metrics["share_pct"] == 80.0
    same = run(tenant, intent="share", filters={"countries": ["United Kingdom"]},
               total_filters={"countries": ["United Kingdom"]})
    assert same.confidence <= 0.3 and any("same filters" in w for w in same.warnings)


def test_share_of_a_distinct_count_and_of_a_ratio(tenant: Repository) -> None:
    c = run(tenant, intent="share", metric="customers", filters={"countries": ["United Kingdom"]})
    assert (c.metrics["part"], c.metrics["total"]) == (2.0, 4.0)  # c1, c3 of c1..c4
    assert [row[0] for row in rows(c)] == ["United Kingdom", "total (all lines)"]  # no "rest" for distinct counts
    a = run(tenant, intent="share", metric="aov", filters={"countries": ["United Kingdom"]})
    assert a.metrics["part"] == 150.0 and any("not meaningful" in w for w in a.warnings)


def test_share_without_a_part(tenant: Repository) -> None:
    by_country = run(tenant, intent="share", group_by="country")
    got = {row[0]: row[-1] for row in rows(by_country)}
    assert got == {"Germany": 71.43, "United Kingdom": 21.43, "France": 7.14}
    assert sum(got.values()) == pytest.approx(100, abs=0.02)
    nothing = run(tenant, intent="share")
    assert nothing.confidence <= 0.3 and "share_pct" not in nothing.metrics
    assert any("names no part" in w for w in nothing.warnings)


# -- hypothesis: shares of a partition sum to 100 -------------------------------------------------------
COUNTRIES = ("United Kingdom", "France", "Germany", "Spain")
SKUS = ("P1", "P2", "P3", "P4", "P5")
line = st.tuples(st.sampled_from(COUNTRIES), st.sampled_from(SKUS), st.integers(1, 40),
                 st.sampled_from([0.5, 1.25, 3.0, 9.99]), st.integers(0, 60), st.integers(0, 23),
                 st.booleans())


@pytest.fixture(scope="module")
def share_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    from ecomintel.db.engine import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('shares') / 'shares.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(line, min_size=1, max_size=30))
def test_shares_of_a_partition_sum_to_100(share_engine: sa.Engine, drawn: list[tuple[Any, ...]]) -> None:
    start = datetime(2011, 3, 1)
    raw = []
    for i, (country, sku, qty, price, day, hour, is_return) in enumerate(drawn):
        when = (start + timedelta(days=day, hours=hour)).strftime("%Y-%m-%d %H:%M")
        order = f"C{i}" if is_return else f"{i}"
        raw.append((order, sku, sku, -qty if is_return else qty, price, when, f"c{i % 5}", country))
    df = lines_frame(raw)
    assume(df.revenue.sum() > 1 and df.quantity.sum() > 0)
    repo = Repository(share_engine, new_tenant_ctx(share_engine, "shares"))
    insert_sales(repo, df, "shares.csv")
    for plan in ({"intent": "breakdown", "group_by": "country"},
                 {"intent": "patterns", "group_by": "weekday"},
                 {"intent": "top_items", "group_by": "product", "top_n": 100},
                 {"intent": "breakdown", "group_by": "country", "metric": "units"}):
        r = run(repo, **plan)
        t = r.tables[0]
        share = [row[t.columns.index("share_pct")] for row in t.rows]
        assert sum(share) == pytest.approx(100, abs=0.005 * len(share) + 1e-9), plan
    part = run(repo, intent="share", filters={"countries": ["United Kingdom"]})
    if "share_pct" in part.metrics:
        rest = run(repo, intent="share", filters={"exclude_countries": ["United Kingdom"]})
        assert part.metrics["share_pct"] + rest.metrics["share_pct"] == pytest.approx(100)
        assert part.metrics["part"] + rest.metrics["part"] == pytest.approx(part.metrics["total"])


def test_a_daily_line_breaks_where_a_week_is_missing_but_not_at_weekends() -> None:
    from datetime import date, timedelta

    from ecomintel.agents.charts import line_chart

    days = [date(2011, 8, 1) + timedelta(days=i) for i in range(26)]
    kept = [d for d in days if d.weekday() < 5 and not date(2011, 8, 15) <= d <= date(2011, 8, 19)]
    chart = line_chart("revenue by day", [d.isoformat() for d in kept], {"revenue": [100.0] * len(kept)}, "revenue")
    trace = chart.figure["data"][0]
    breaks = [trace["x"][i] for i, y in enumerate(trace["y"]) if y is None]
    assert breaks == ["2011-08-13"]  # one break, after Friday 12 August; the weekends stay joined
    months = line_chart("revenue by month", ["2011-01", "2011-02", "2011-04"], {"revenue": [1.0, 2.0, 3.0]}, "revenue")
    assert None in months.figure["data"][0]["y"]  # March is missing
    weekdays = line_chart("revenue by weekday", ["Mon", "Tue", "Wed"], {"revenue": [1.0, 2.0, 3.0]}, "revenue")
    assert weekdays.figure["data"][0]["y"] == [1.0, 2.0, 3.0]
