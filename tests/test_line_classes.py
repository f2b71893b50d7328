"""Line classes, derived metrics, filters and display names on a hand-made tenant (real SQLite and PostgreSQL):
stock adjustments and corrections stay out of units, returns and orders and are reported apart; every
expected value below is computed by hand from the eleven lines (docs/ask-contract.md)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from ecomintel.agents.base import AgentResult
from ecomintel.agents.definitions import definitions_of
from ecomintel.agents.registry import get_agent
from ecomintel.ask.plan import Plan
from ecomintel.db.repository import Repository
from ecomintel.db.sales_lines import SalesFilter
from tests.conftest import new_tenant_ctx
from tests.sales_helpers import insert_sales, lines_frame

# 2011-11-07 is a Monday
LINES = [
    ("1001", "A", "MUG RED", 2, 3.0, "2011-11-07 10:00", "c1", "United Kingdom"),    # sale 6
    ("1001", "BAG1", "BAG", 1, 10.0, "2011-11-07 10:00", "c1", "United Kingdom"),       # sale 10
    ("1002", "A", "MUG RED", 4, 3.0, "2011-11-08 11:00", "c2", "France"),            # sale 12
    ("1003", "A", "MUG BLUE", 1, 3.0, "2011-11-08 12:00", None, "United Kingdom"),   # sale 3, no customer
    ("C1004", "A", "MUG RED", -1, 3.0, "2011-11-09 09:00", "c1", "United Kingdom"),  # return -3
    ("C1004", "BAG1", "BAG", -1, 10.0, "2011-11-09 09:00", "c1", "United Kingdom"),     # return -10
    ("1005", "BAG1", "BAG", -2, 0.0, "2011-11-09 10:00", None, "United Kingdom"),       # stock adjustment 2 units
    ("1006", "A", "damaged", -5, 0.0, "2011-11-09 10:30", None, "United Kingdom"),   # stock adjustment 5 units
    ("1007", "A", "MUG RED", 3, 0.0, "2011-11-09 11:00", None, "United Kingdom"),    # correction
    ("C1008", "A", "MUG RED", -2, 0.0, "2011-11-09 12:00", None, "United Kingdom"),  # C invoice: a return
    ("1009", "BAG1", "BAG", -1, 10.0, "2011-11-10 09:00", "c2", "France"),             # return -10 (negative qty)
]
NOV = {"start": "2011-11-01", "end": "2011-11-30", "label": "Nov 2011"}
EXPECTED = {
    "revenue": 8.0, "gross": 31.0, "units": 3.0, "returned_units": 5.0, "returned_value": 23.0,
    "return_lines": 4.0, "adjustment_lines": 2.0, "adjustment_units": 7.0, "correction_lines": 1.0,
    "orders": 3.0, "customers": 2.0, "cancelled_orders": 3.0, "lines": 11.0,
    "aov": 31 / 3, "units_per_order": 1.0, "asp": 8 / 3, "return_rate": 23 / 31 * 100,
    "revenue_per_customer": 2.5,  # (6 + 10 + 12 - 3 - 10 - 10) / 2
}


@pytest.fixture
def tenant(repo: Repository) -> Repository:
    insert_sales(repo, lines_frame(LINES), "classes.csv")
    return repo


def run(repo: Repository, agent: str = "sales", **plan: Any) -> AgentResult:
    result = get_agent(agent).run(repo.ctx, repo, Plan.model_validate({"intent": "overview", "agents": [agent],
                                                                        **plan}))
    json.dumps(result.to_dict())
    return result


def test_truth_frame_classes_match_the_hand_count() -> None:
    df = lines_frame(LINES)
    assert df.line_class.value_counts().to_dict() == {"sale": 4, "return": 4, "adjustment": 2, "correction": 1}


def test_totals_follow_the_line_classes(tenant: Repository) -> None:
    got = tenant.sales_totals()
    for name, value in EXPECTED.items():
        assert got[name] == pytest.approx(value), name
    nov = tenant.sales_totals(SalesFilter(date(2011, 11, 9), date(2011, 11, 9)))  # Wednesday only
    assert (nov["units"], nov["returned_units"], nov["adjustment_units"]) == (-4.0, 4.0, 7.0)


def test_grouped_metrics_leave_adjustments_out(tenant: Repository) -> None:
    by_sku = tenant.sales_by("sku", details=True).set_index("key")
    assert by_sku.loc["A", "units"] == 4.0  # 2 + 4 + 1 - 1 - 2 (the -5 write-off and the +3 correction are out)
    assert by_sku.loc["BAG1", "units"] == -1.0  # 1 - 1 - 1 (the -2 write-off is out)
    assert by_sku.loc["A", "adjustment_units"] == 5.0 and by_sku.loc["BAG1", "adjustment_units"] == 2.0
    assert by_sku.loc["A", "returned_units"] == 3.0 and by_sku.loc["BAG1", "returned_units"] == 2.0
    assert by_sku.loc["A", "orders"] == 3.0  # 1001, 1002, 1003 (not the correction's 1007)
    assert by_sku.loc["A", "cancelled_orders"] == 2.0  # C1004, C1008
    assert "adjustment_units" not in tenant.sales_by("sku").columns  # only asked for: they cost a scan
    lean = tenant.sales_by("weekday", distinct=False, details=True).set_index("key")
    assert lean.loc["Wednesday", "adjustment_lines"] == 2.0 and lean.loc["Wednesday", "units"] == -4.0
    cat = tenant.sales_by("category", details=True)
    assert cat.key.tolist() == ["(unspecified)"] and cat.adjustment_lines.tolist() == [2.0]
    weeks = tenant.sales_by("week", SalesFilter(date(2011, 11, 1), date(2011, 11, 30)), details=True)
    assert weeks.key.tolist() == ["2011-W45"] and weeks.correction_lines.tolist() == [1.0]
    by_customer = tenant.sales_by("customer", details=True).set_index("key")
    assert by_customer.loc["c1", "revenue_per_customer"] == 3.0 and by_customer.loc["c1", "cancelled_orders"] == 1
    assert by_customer.loc["c1", "revenue"] == 3.0 and by_customer.loc["c2", "revenue"] == 2.0
    assert by_customer.loc["", "lines"] == 5.0  # lines without a customer id group under ""


def test_home_overview_counts_adjustments(tenant: Repository) -> None:
    ov = tenant.overview()
    assert (ov["adjustment_lines"], ov["adjustment_units"], ov["correction_lines"]) == (2, 7.0, 1)
    assert ov["net_revenue"] == pytest.approx(8.0)


def test_filters_weekdays_customers_and_excluded_skus(tenant: Repository) -> None:
    assert tenant.sales_totals(SalesFilter(weekdays=("Monday",)))["revenue"] == 16.0
    assert tenant.sales_totals(SalesFilter(weekdays=("Tuesday", "Thursday")))["revenue"] == 5.0  # 12 + 3 - 10
    assert tenant.sales_totals(SalesFilter(weekdays=("Sunday",)))["lines"] == 0
    assert tenant.sales_totals(SalesFilter(customers=("c2",)))["revenue"] == 2.0
    assert tenant.sales_totals(SalesFilter(exclude_skus=("BAG1",)))["revenue"] == 18.0
    r = run(tenant, intent="overview", periods=[NOV], filters={"weekdays": ["Monday"]})
    assert r.metrics["revenue"] == 16.0 and r.metrics["orders"] == 1.0


def test_overview_states_derived_metrics_and_adjustments(tenant: Repository) -> None:
    r = run(tenant, intent="overview", periods=[NOV])
    for name, value in EXPECTED.items():
        if name not in ("lines", "return_lines"):
            assert r.metrics[name] == pytest.approx(value), name
    # trading days: 11-07 and 11-08 have sale lines; calendar days of Nov 2011 inside the data: 11-07..11-10
    assert (r.metrics["trading_days"], r.metrics["calendar_days"]) == (2.0, 4.0)
    assert r.metrics["avg_daily_revenue"] == 4.0 and r.metrics["avg_daily_revenue_calendar"] == 2.0
    assert any(w.startswith("Stock adjustments in Nov 2011") and "2 lines, 7 units" in w for w in r.warnings)
    assert any(w.startswith("Corrections in Nov 2011") and ": 1 zero-price line" in w for w in r.warnings)
    defs = definitions_of(r)
    assert {"revenue", "stock_adjustments", "corrections", "asp", "avg_daily_revenue", "return_rate",
            "cancelled_orders", "revenue_per_customer", "units_per_order"} <= set(defs)
    assert "trading day" in r.summary and "calendar day" in r.summary


def test_returns_answer_keeps_write_offs_apart(tenant: Repository) -> None:
    r = run(tenant, intent="returns", metric="returns")
    assert r.metrics["returned_units"] == 5.0 and r.metrics["cancelled_orders"] == 3.0
    assert r.metrics["return_rate"] == pytest.approx(23 / 31 * 100)
    top = dict(zip([row[0] for row in r.tables[0].rows], [row[2] for row in r.tables[0].rows], strict=True))
    assert top == {"A": 3, "BAG1": 2}
    adjust = next(t for t in r.tables if t.title.startswith("Stock adjustments"))
    assert [row[0] for row in adjust.rows] == ["A", "BAG1"] and [row[2] for row in adjust.rows] == [5, 2]
    assert "Stock adjustments: 2 lines, 7 units" in r.summary
    assert {"returns", "cancelled_orders", "return_rate", "stock_adjustments"} <= set(definitions_of(r))


def test_rankings_by_ratio_and_derived_metrics(tenant: Repository) -> None:
    r = run(tenant, intent="top_items", group_by="product", metric="asp")
    # A: revenue 6 + 12 + 3 - 3 = 18 over 4 units = 4.5; B: revenue -10 over -1 unit is not ranked (units <= 0)
    assert [row[0] for row in r.tables[0].rows] == ["A"]
    assert r.tables[0].columns[:3] == ["sku", "product", "asp"] and r.tables[0].rows[0][2] == 4.5
    c = run(tenant, intent="top_items", group_by="country", metric="units_per_order")
    got = {row[0]: row[1] for row in c.tables[0].rows}
    assert got == {"France": 3.0, "United Kingdom": 0.0}  # France (4 - 1) / 1; UK (2+1+1-1-1-2) / 2


def test_compare_with_derived_metric(tenant: Repository) -> None:
    cur = {"start": "2011-11-09", "end": "2011-11-10", "label": ""}
    prev = {"start": "2011-11-07", "end": "2011-11-08", "label": ""}
    r = run(tenant, intent="compare_periods", metric="cancelled_orders", periods=[cur, prev])
    assert r.metrics["cancelled_orders"] == 3.0 and r.metrics["cancelled_orders_previous"] == 0.0
    rows = {row[0]: row for row in r.tables[0].rows}
    assert rows["cancelled_orders"][1:3] == [3, 0] and rows["units_per_order"][2] == 2.67  # 8 units / 3 orders
    assert "cancelled_orders" in definitions_of(r)


def test_customer_rankings_and_customers_of_a_product(tenant: Repository) -> None:
    r = run(tenant, intent="top_items", group_by="customer", periods=[NOV])
    assert r.tables[0].columns[:2] == ["customer", "revenue"]
    assert [row[:2] for row in r.tables[0].rows] == [["c1", 3], ["c2", 2]]
    assert any("without a customer id" in w and "£3.00" in w and "5 lines" in w for w in r.warnings)
    of_a = run(tenant, intent="breakdown", group_by="customer", filters={"skus": ["A"]})
    assert [row[:2] for row in of_a.tables[0].rows] == [["c2", 12], ["c1", 3]]
    bottom = run(tenant, intent="bottom_items", group_by="customer", metric="orders")
    # c1 has order 1001, c2 order 1002: one order each, so the tie is broken by customer id
    assert [row[:2] for row in bottom.tables[0].rows] == [["c1", 1], ["c2", 1]]


def test_display_name_is_the_most_frequent_description(engine: Any) -> None:
    repo = Repository(engine, new_tenant_ctx(engine, "names"))
    rows = [
        ("1", "A", "MUG RED", 1, 1.0, "2011-11-07 10:00", "c1", "UK"),
        ("2", "A", "MUG RED", 1, 1.0, "2011-11-07 11:00", "c1", "UK"),
        ("3", "A", "MUG BLUE", 1, 1.0, "2011-11-08 10:00", "c1", "UK"),  # latest, but less frequent
        ("4", "T", "ZEBRA", 1, 1.0, "2011-11-07 10:00", "c1", "UK"),
        ("5", "T", "APPLE", 1, 1.0, "2011-11-08 10:00", "c1", "UK"),    # a tie: alphabetically first wins
    ]
    insert_sales(repo, lines_frame(rows), "names.csv")
    assert repo.product_names(["A", "T", "NONE"]) == {"A": "MUG RED", "T": "APPLE"}
    assert {k: v for k, v in repo.sku_catalogue().items() if k in ("A", "T")} == {"A": "MUG RED", "T": "APPLE"}
    r = run(repo, intent="top_items", group_by="product")
    assert {row[0]: row[1] for row in r.tables[0].rows} == {"A": "MUG RED", "T": "APPLE"}
    assert "product_name" in definitions_of(r)
