"""The customers agent on real SQLite and PostgreSQL: new vs returning customers, repeat rate and cohorts on a
hand-made tenant whose answers are counted by hand below, plus a hypothesis test against an independent
pandas computation (new + returning == customers, per period and per bucket)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomintel.agents.base import AgentResult
from ecomintel.agents.definitions import definitions_of
from ecomintel.agents.registry import get_agent
from ecomintel.ask.plan import Plan
from ecomintel.db.repository import Repository
from tests.conftest import new_tenant_ctx
from tests.sales_helpers import insert_sales, lines_frame

UK, FR = "United Kingdom", "France"
LINES = [
    ("o1", "P1", "MUG", 1, 5.0, "2011-01-10 10:00", "c1", UK),    # c1 first purchase (a Monday, ISO week 2)
    ("o1b", "P1", "MUG", 1, 5.0, "2011-01-13 10:00", "c1", UK),   # c1 again the same week
    ("o2", "P2", "BAG", 2, 5.0, "2011-01-20 10:00", "c1", UK),
    ("o3", "P1", "MUG", 1, 5.0, "2011-03-05 10:00", "c1", UK),
    ("o4", "P1", "MUG", 1, 5.0, "2011-01-15 10:00", "c2", FR),    # c2 first
    ("o5", "P2", "BAG", 1, 5.0, "2011-02-10 10:00", "c2", FR),
    ("o6", "P1", "MUG", 1, 5.0, "2011-02-20 10:00", "c3", UK),    # c3 first (and only) purchase
    ("C11", "P1", "MUG", -1, 5.0, "2011-03-01 10:00", "c3", UK),  # c3 returns it: not a purchase
    ("o7", "P1", "MUG", 1, 5.0, "2011-03-10 10:00", "c4", UK),    # c4 first, an order of two lines
    ("o7", "P2", "BAG", 1, 5.0, "2011-03-10 10:00", "c4", UK),
    ("o8", "P2", "BAG", 1, 5.0, "2011-03-12 10:00", "c4", UK),
    ("o9", "P2", "BAG", 1, 5.0, "2011-04-02 10:00", "c4", UK),    # the data ends 2011-04-02
    ("o10", "P1", "MUG", 1, 5.0, "2011-02-05 10:00", None, UK),   # a sale without a customer id
    ("adj", "P1", "MUG", -3, 0.0, "2011-02-06 10:00", None, UK),  # a stock adjustment
]
FEB_MAR = {"start": "2011-02-01", "end": "2011-03-31", "label": "Feb-Mar 2011"}


@pytest.fixture
def tenant(repo: Repository) -> Repository:
    insert_sales(repo, lines_frame(LINES), "customers.csv")
    return repo


def run(repo: Repository, **plan: Any) -> AgentResult:
    result = get_agent("customers").run(repo.ctx, repo, Plan.model_validate(
        {"intent": "new_returning", "agents": ["customers"], **plan}))
    json.dumps(result.to_dict())
    return result


def test_new_and_returning_by_month(tenant: Repository) -> None:
    r = run(tenant, group_by="month")
    assert r.tables[0].columns == ["period", "new_customers", "returning_customers", "customers", "partial"]
    assert r.tables[0].rows == [["2011-01", 2, 0, 2, True], ["2011-02", 1, 1, 2, False],
                                ["2011-03", 1, 1, 2, False], ["2011-04", 0, 1, 1, True]]
    assert (r.metrics["customers"], r.metrics["new_customers"], r.metrics["returning_customers"]) == (4, 4, 0)
    assert any("data's first month (2011-01) are all new" in w for w in r.warnings)
    assert r.charts and r.charts[0].figure["layout"]["barmode"] == "stack"
    assert {"customers", "new_customers"} <= set(definitions_of(r))


def test_new_and_returning_in_a_period_and_a_country(tenant: Repository) -> None:
    r = run(tenant, group_by="month", periods=[FEB_MAR])
    assert r.tables[0].rows == [["2011-02", 1, 1, 2, False], ["2011-03", 1, 1, 2, False]]
    assert (r.metrics["customers"], r.metrics["new_customers"], r.metrics["returning_customers"]) == (4, 2, 2)
    assert not any("first month" in w for w in r.warnings)
    uk = run(tenant, group_by="month", periods=[FEB_MAR], filters={"countries": [UK]})
    assert (uk.metrics["customers"], uk.metrics["new_customers"], uk.metrics["returning_customers"]) == (3, 2, 1)
    one = run(tenant, group_by="month", filters={"customers": ["c1"]})
    assert [row[:4] for row in one.tables[0].rows] == [["2011-01", 1, 0, 1], ["2011-03", 0, 1, 1]]


def test_first_purchase_before_the_period_in_the_same_week_is_returning(tenant: Repository) -> None:
    """c1 first bought Monday 2011-01-10; a period starting Wednesday 2011-01-12 sees c1 buy on the 13th in the
    same ISO week: returning, not new."""
    r = run(tenant, group_by="week", periods=[{"start": "2011-01-12", "end": "2011-01-31", "label": ""}])
    weeks = {row[0]: row[1:4] for row in r.tables[0].rows}
    assert weeks["2011-W02"] == [1, 1, 2]  # c2's first purchase (the 15th) is new, c1 (the 13th) returning
    assert weeks["2011-W03"] == [0, 1, 1]  # c1 on the 20th
    assert r.metrics["new_customers"] == 1 and r.metrics["returning_customers"] == 1


def test_repeat_customers(tenant: Repository) -> None:
    r = run(tenant, intent="repeat")
    assert r.tables[0].columns == ["period", "customers", "repeat_customers", "one_time_customers", "repeat_rate"]
    assert r.tables[0].rows[0][1:] == [4, 3, 1, 75]  # c1 4 orders, c2 2, c4 3 (o7 has two lines), c3 1
    assert r.metrics["repeat_rate"] == 75.0
    assert r.tables[1].rows == [["1", 1, 25], ["2", 1, 25], ["3", 1, 25], ["4", 1, 25]]
    feb_mar = run(tenant, intent="repeat", periods=[FEB_MAR])
    assert feb_mar.tables[0].rows[0][1:] == [4, 1, 3, 25]  # only c4 (o7, o8) ordered twice
    assert "repeat_customers" in definitions_of(r)


def test_cohorts(tenant: Repository) -> None:
    r = run(tenant, intent="cohorts")
    assert r.tables[0].columns == ["cohort", "customers", "month 0", "month 1", "month 2", "month 3"]
    assert r.tables[0].rows == [["2011-01", 2, 100, 50, 50, 0],
                                ["2011-02", 1, 100, 0, 0, None],
                                ["2011-03", 1, 100, 100, None, None]]
    assert r.metrics["month_1_retention"] == 50.0 and r.metrics["cohorts"] == 3
    assert r.charts[0].figure["data"][0]["type"] == "heatmap"
    assert any("last month (2011-04) is covered only up to 2011-04-02" in w for w in r.warnings)
    later = run(tenant, intent="cohorts", periods=[{"start": "2011-02-01", "end": "2011-04-30", "label": ""}])
    assert [row[:2] for row in later.tables[0].rows] == [["2011-02", 1], ["2011-03", 1]]
    assert "cohorts" in definitions_of(r)


def test_empty_tenant_and_unknown_intent(engine: sa.Engine, tenant: Repository) -> None:
    empty = Repository(engine, new_tenant_ctx(engine, "nocust"))
    e = run(empty)
    assert e.status == "partial" and e.confidence == 0.0
    u = run(tenant, intent="overview")
    assert u.confidence <= 0.5 and any("not a customer analysis" in w for w in u.warnings)
    assert get_agent("customers").name == "customers"


# -- hypothesis: new + returning == customers, and both match pandas ------------------------------------
line = st.tuples(st.sampled_from(["c0", "c1", "c2", "c3", "c4", "c5", None]), st.integers(0, 120),
                 st.integers(1, 5), st.booleans())


@pytest.fixture(scope="module")
def customer_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    from ecomintel.db.engine import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('cust') / 'cust.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def truth(df: pd.DataFrame, start: date, end: date) -> tuple[dict[str, int], dict[str, tuple[int, int, int]]]:
    """New/returning written out independently: first sale line per customer over all data."""
    sold = df[(df.line_class == "sale") & df.customer_id.notna()]
    first = sold.groupby("customer_id").sold_at.min().dt.date
    day = sold.sold_at.dt.date
    inside = sold[(day >= start) & (day <= end)]
    buyers = set(inside.customer_id)
    new = {c for c in buyers if first[c] >= start}
    months: dict[str, tuple[int, int, int]] = {}
    for month, part in inside.groupby(inside.sold_at.dt.strftime("%Y-%m")):
        who = set(part.customer_id)
        n = {c for c in who if first[c].strftime("%Y-%m") == month and first[c] >= start}
        months[str(month)] = (len(n), len(who) - len(n), len(who))
    return {"customers": len(buyers), "new_customers": len(new), "returning_customers": len(buyers - new)}, months


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(line, min_size=1, max_size=40), st.integers(0, 60), st.integers(1, 90))
def test_new_plus_returning_is_customers(customer_engine: sa.Engine, drawn: list[tuple[Any, ...]],
                                         offset: int, length: int) -> None:
    base = datetime(2011, 1, 3)
    raw = [(f"C{i}" if ret else f"o{i}", "P1", "MUG", -qty if ret else qty, 2.0,
            (base + timedelta(days=d, hours=9)).strftime("%Y-%m-%d %H:%M"), cust, UK)
           for i, (cust, d, qty, ret) in enumerate(drawn)]
    df = lines_frame(raw)
    repo = Repository(customer_engine, new_tenant_ctx(customer_engine, "hyp"))
    insert_sales(repo, df, "hyp.csv")
    start = base.date() + timedelta(days=offset)
    end = start + timedelta(days=length)
    r = run(repo, group_by="month", periods=[{"start": start.isoformat(), "end": end.isoformat(), "label": ""}])
    want, months = truth(df, start, end)
    m = r.metrics
    assert m["new_customers"] + m["returning_customers"] == m["customers"]
    assert {k: int(m[k]) for k in want} == want
    got = {row[0]: tuple(row[1:4]) for row in r.tables[0].rows}
    assert got == months
    assert all(n + ret == c for n, ret, c in got.values())
