"""The bench's independent pandas answers are only worth something if they are right: check them on tiny
hand-made frames whose answers are worked out by hand below (docs/ask-contract.md definitions), check the
grader and the AUROC on known examples, and check that every benchmark question names an answer kind that
exists with well-formed arguments."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str, file: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / file)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


A = _load("bench_answers", "answers.py")

COLUMNS = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
ROWS = [
    # invoice, sku, name, qty, date, price, customer, country
    ("1001", "85123A", "HEART", 6, "2011-11-01 08:00:00", 2.55, "17850.0", "United Kingdom"),   # rev 15.30
    ("1001", "22423", "CAKESTAND", 2, "2011-11-01 08:00:00", 12.75, "17850.0", "United Kingdom"),  # 25.50
    ("1001", "POST", "POSTAGE", 1, "2011-11-01 08:00:00", 40.0, "17850.0", "United Kingdom"),   # 40 (non-product)
    ("1001", "POST", "POSTAGE", 1, "2011-11-01 08:00:00", 40.0, "17850.0", "United Kingdom"),   # duplicate line
    ("1002", "22423", "CAKESTAND", 4, "2011-11-30 23:59:00", 12.75, "12345.0", "Germany"),      # 51.00, last minute
    ("1002", "gift_0001_10", "VOUCHER", 1, "2011-11-30 23:59:00", 100.0, "12345.0", "Germany"),  # 100 (non-product)
    ("1003", "85123A", "HEART", 10, "2011-11-02 14:30:00", 2.55, None, "France"),               # 25.50, no customer
    ("C1004", "22423", "CAKESTAND", -1, "2011-11-03 09:10:00", 12.75, "17850.0", "United Kingdom"),  # -12.75 return
    ("1005", "85123A", None, -3, "2011-11-03 10:00:00", 0.0, None, "United Kingdom"),           # stock adjustment
    ("1006", "85123A", "HEART", 0, "2011-11-04 10:00:00", 2.55, "1.0", "United Kingdom"),       # rejected qty 0
    ("1007", "B", "BAD DEBT", 1, "2011-11-04 10:00:00", -11062.06, None, "United Kingdom"),     # rejected price < 0
    ("", "22423", "CAKESTAND", 1, "2011-11-04 10:00:00", 12.75, None, "United Kingdom"),        # rejected no invoice
    ("1008", "22423", "CAKESTAND", 1, "2011-12-01 10:00:00", 12.75, "99.0", "United Kingdom"),  # outside November
    ("1009", "21000", "FREEBIE", 5, "2011-11-05 11:00:00", 0.0, "17850.0", "United Kingdom"),   # free item: a sale
    ("1010", "22423", None, 7, "2011-11-06 12:00:00", 0.0, None, "United Kingdom"),             # correction
]
NOV = {"start": "2011-11-01", "end": "2011-11-30"}
OCT = {"start": "2011-10-01", "end": "2011-10-31"}
Q4 = {"start": "2011-10-01", "end": "2011-12-31"}
GROSS_NOV = 15.30 + 25.50 + 40.0 + 51.0 + 100.0 + 25.50 + 0.0  # sale lines of November
REV_NOV = GROSS_NOV - 12.75


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return A.clean(pd.DataFrame(rows, columns=COLUMNS).astype({"CustomerID": "object"}))


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return _frame(ROWS)


def test_clean_rejects_invalid_lines_drops_duplicates_and_classifies_lines(df: pd.DataFrame) -> None:
    assert len(df) == len(ROWS) - 4  # 3 rejected + 1 duplicate
    assert "B" not in set(df["sku"])
    assert (df["sku"] == "POST").sum() == 1
    assert set(df["customer_id"].dropna()) == {"17850", "12345", "99"}
    classes = dict(zip(df["order_id"], df["line_class"], strict=False))
    assert classes["C1004"] == "return"
    assert classes["1005"] == "adjustment"  # non-C, negative, price 0, no customer: not a return
    assert classes["1010"] == "correction"  # non-C, positive, price 0, no customer: not a sale
    assert classes["1009"] == "sale"  # price 0 but a customer: a free item sold
    assert classes["1003"] == "sale"  # no customer but a price: a sale


def test_single_period_metrics_by_hand(df: pd.DataFrame) -> None:
    got = A.answer(df, "overview", {"period": NOV})["metrics"]
    assert got["revenue"] == pytest.approx(REV_NOV)
    assert got["units"] == 6 + 2 + 1 + 4 + 1 + 10 + 5 - 1  # the adjustment (-3) and the correction (+7) are out
    assert got["orders"] == 4  # 1001 1002 1003 1009 (return, adjustment, correction and December excluded)
    assert got["customers"] == 2  # 17850, 12345 (1003 has no customer, 99 is in December)
    assert got["aov"] == pytest.approx(GROSS_NOV / 4)  # gross / orders (returns do not shrink an order value)


def test_derived_metrics_by_hand(df: pd.DataFrame) -> None:
    def m(metric: str, period: dict | None = NOV, **filters: object) -> float:
        return A.answer(df, "metric", {"metric": metric, "period": period, "filters": filters})["value"]

    assert m("gross") == pytest.approx(GROSS_NOV)
    assert m("units_per_order") == pytest.approx(28 / 4)
    assert m("asp") == pytest.approx(REV_NOV / 28)
    assert m("asp", skus=["22423"]) == pytest.approx((25.50 + 51.0 - 12.75) / (2 + 4 - 1))
    assert (m("returned_units"), m("returned_value"), m("return_lines")) == (1.0, pytest.approx(12.75), 1.0)
    assert m("cancelled_orders") == 1  # C1004 (1005 is an adjustment, not a cancellation)
    assert m("return_rate") == pytest.approx(12.75 / GROSS_NOV * 100)
    # revenue of lines with a customer id (France's 25.50 has none) / customers
    assert m("revenue_per_customer") == pytest.approx((15.30 + 25.50 + 40.0 + 51.0 + 100.0 + 0.0 - 12.75) / 2)
    # trading days = days with a sale line: 1, 2, 5 and 30 Nov (3 Nov has only a return and an adjustment,
    # 6 Nov only a correction)
    assert m("trading_days") == 4
    assert m("avg_daily_revenue") == pytest.approx(REV_NOV / 4)
    assert m("calendar_days") == 30
    assert m("avg_daily_revenue_calendar") == pytest.approx(REV_NOV / 30)
    late = {"start": "2011-11-15", "end": "2011-12-31"}  # clipped to the data's last day, 1 Dec: 17 days
    assert m("calendar_days", late) == 17
    assert m("avg_daily_revenue_calendar", late) == pytest.approx((51.0 + 100.0 + 12.75) / 17)
    assert (m("adjustment_lines"), m("adjustment_units"), m("correction_lines")) == (1.0, 3.0, 1.0)
    both = A.answer(df, "metrics", {"metrics": ["adjustment_lines", "adjustment_units"], "period": None})
    assert both["metrics"] == {"adjustment_lines": 1.0, "adjustment_units": 3.0}


def test_filters_and_inclusive_end_date(df: pd.DataFrame) -> None:
    germany = A.answer(df, "metric", {"metric": "revenue", "period": NOV, "filters": {"countries": ["Germany"]}})
    assert germany["value"] == pytest.approx(151.0)  # includes the 23:59 line on the last day
    no_uk = A.answer(df, "metric", {"metric": "revenue", "period": NOV,
                                    "filters": {"exclude_countries": ["United Kingdom"]}})
    assert no_uk["value"] == pytest.approx(151.0 + 25.50)
    sku = A.answer(df, "metric", {"metric": "units", "period": NOV, "filters": {"skus": ["22423"]}})
    assert sku["value"] == 2 + 4 - 1  # the correction's 7 are not units sold
    everything = A.answer(df, "metric", {"metric": "revenue", "period": None})
    assert everything["value"] == pytest.approx(REV_NOV + 12.75)
    wednesday = A.answer(df, "metric", {"metric": "revenue", "period": NOV, "filters": {"weekdays": ["Wednesday"]}})
    assert wednesday["value"] == pytest.approx(51.0 + 100.0 + 25.50)  # 2 and 30 November
    weekend = A.answer(df, "metric", {"metric": "orders", "period": NOV,
                                      "filters": {"weekdays": ["Saturday", "Sunday"]}})
    assert weekend["value"] == 1  # 1009 on Saturday 5 Nov; Sunday's correction is no order
    no_post = A.answer(df, "metric", {"metric": "revenue", "period": NOV, "filters": {"exclude_skus": ["POST"]}})
    assert no_post["value"] == pytest.approx(REV_NOV - 40.0)
    one = A.answer(df, "metric", {"metric": "revenue", "period": NOV, "filters": {"customers": ["12345"]}})
    assert one["value"] == pytest.approx(151.0)
    with pytest.raises(ValueError):
        A.answer(df, "metric", {"metric": "revenue", "period": NOV, "filters": {"city": ["Paris"]}})


def test_product_ranking_excludes_non_products(df: pd.DataFrame) -> None:
    top = A.answer(df, "top", {"metric": "revenue", "group": "product", "period": NOV, "n": 10})
    assert top["keys"] == ["22423", "85123A", "21000"]  # 63.75, 40.80, 0 — POST and gift voucher left out
    assert top["values"] == pytest.approx([63.75, 40.80, 0.0])
    bottom = A.answer(df, "top", {"metric": "units", "group": "product", "period": NOV, "n": 2, "order": "asc"})
    assert bottom["values"] == [5.0, 5.0]  # 21000: 5; 22423: 2 + 4 - 1 (the correction is out)
    assert set(bottom["keys"]) == {"21000", "22423"}
    by_customers = A.answer(df, "top", {"metric": "customers", "group": "product", "period": NOV, "n": 2})
    assert by_customers["values"] == [2.0, 1.0]
    assert by_customers["keys"][0] == "22423"


def test_country_and_customer_rankings(df: pd.DataFrame) -> None:
    top = A.answer(df, "top", {"metric": "revenue", "group": "country", "period": NOV, "n": 3})
    assert top["keys"] == ["Germany", "United Kingdom", "France"]
    assert top["values"] == pytest.approx([151.0, 15.30 + 25.50 + 40.0 - 12.75, 25.50])
    customers = A.answer(df, "top", {"metric": "revenue", "group": "customer", "period": NOV, "n": 10})
    assert customers["keys"] == ["12345", "17850"]  # France's line has no customer id: left out
    assert customers["values"] == pytest.approx([151.0, 15.30 + 25.50 + 40.0 - 12.75])
    of_product = A.answer(df, "top", {"metric": "units", "group": "customer", "period": NOV, "n": 5,
                                      "filters": {"skus": ["22423"]}})
    assert of_product["keys"] == ["12345", "17850"] and of_product["values"] == [4.0, 1.0]  # 17850: 2 - 1


def test_breakdowns_use_weekday_names_hours_and_iso_weeks(df: pd.DataFrame) -> None:
    weekday = A.answer(df, "breakdown", {"metric": "orders", "group": "weekday", "period": NOV})["groups"]
    assert weekday == {"Tuesday": 1.0, "Wednesday": 2.0, "Saturday": 1.0}  # 1 Nov 2011 was a Tuesday
    hour = A.answer(df, "breakdown", {"metric": "orders", "group": "hour", "period": NOV})["groups"]
    assert hour == {"8": 1.0, "11": 1.0, "14": 1.0, "23": 1.0}
    week = A.answer(df, "breakdown", {"metric": "revenue", "group": "week", "period": None})["groups"]
    assert set(week) == {"2011-W44", "2011-W48"}
    month = A.answer(df, "breakdown", {"metric": "revenue", "group": "month", "period": None})["groups"]
    assert month["2011-12"] == pytest.approx(12.75)
    day = A.answer(df, "breakdown", {"metric": "orders", "group": "day", "period": NOV})["groups"]
    assert day == {"2011-11-01": 1.0, "2011-11-02": 1.0, "2011-11-05": 1.0, "2011-11-30": 1.0}
    quarter = A.answer(df, "breakdown", {"metric": "revenue", "group": "quarter", "period": None})["groups"]
    assert quarter == {"2011-Q4": pytest.approx(REV_NOV + 12.75)}


def test_iso_week_at_year_boundary() -> None:
    raw = pd.DataFrame([("1", "22423", "X", 1, "2011-01-02 10:00:00", 1.0, None, "UK")], columns=COLUMNS)
    week = A.answer(A.clean(raw), "breakdown", {"metric": "units", "group": "week", "period": None})["groups"]
    assert week == {"2010-W52": 1.0}  # Sunday 2 Jan 2011 belongs to ISO week 52 of 2010


def test_compare_movers_and_returns(df: pd.DataFrame) -> None:
    cmp = A.answer(df, "compare", {"metric": "revenue", "current": {"start": "2011-12-01", "end": "2011-12-09"},
                                   "previous": NOV})
    assert cmp["current"] == pytest.approx(12.75)
    assert cmp["previous"] == pytest.approx(REV_NOV)
    assert cmp["change"] == pytest.approx(12.75 - REV_NOV)
    assert cmp["change_pct"] == pytest.approx((12.75 - REV_NOV) / REV_NOV * 100)
    empty = A.answer(df, "compare", {"metric": "revenue", "current": NOV, "previous": OCT})
    assert empty["change_pct"] is None  # no previous revenue: no percentage
    movers = A.answer(df, "movers", {"metric": "revenue", "current": NOV, "previous": OCT, "n": 2,
                                     "direction": "up"})
    assert movers["keys"] == ["22423", "85123A"]
    fallers = A.answer(df, "movers", {"metric": "revenue", "current": {"start": "2011-12-01", "end": "2011-12-31"},
                                      "previous": NOV, "n": 1, "direction": "down"})
    assert fallers["keys"] == ["22423"] and fallers["values"] == pytest.approx([12.75 - 63.75])
    why = A.answer(df, "why_change", {"current": NOV, "previous": OCT})
    assert next(iter(why["contributors_product"])) == "22423"
    returns = A.answer(df, "returns", {"group": "product", "period": None, "n": 5})
    assert returns["keys"] == ["22423"] and returns["values"] == [1.0]  # 85123A's -3 is a stock adjustment


def test_share_of_a_part_and_of_the_outside(df: pd.DataFrame) -> None:
    germany = A.answer(df, "share", {"metric": "revenue", "period": NOV, "filters": {"countries": ["Germany"]}})
    assert germany["part"] == pytest.approx(151.0) and germany["total"] == pytest.approx(REV_NOV)
    assert germany["share_pct"] == pytest.approx(151.0 / REV_NOV * 100)
    outside = A.answer(df, "share", {"metric": "revenue", "period": NOV,
                                     "filters": {"exclude_countries": ["Germany"]}})
    assert outside["share_pct"] + germany["share_pct"] == pytest.approx(100.0)  # a partition sums to 100
    within = A.answer(df, "share", {"metric": "revenue", "period": NOV,
                                    "filters": {"countries": ["United Kingdom"], "skus": ["22423"]},
                                    "total_filters": {"countries": ["United Kingdom"]}})
    uk = 15.30 + 25.50 + 40.0 - 12.75
    assert within["share_pct"] == pytest.approx((25.50 - 12.75) / uk * 100)
    orders = A.answer(df, "share", {"metric": "orders", "period": NOV, "filters": {"countries": ["France"]}})
    assert orders["share_pct"] == pytest.approx(25.0)  # 1003 of 4 orders


# A second frame for customers over time: data from Monday 3 Oct to Wednesday 7 Dec 2011, so October and
# December are partial months and November is the only complete one.
CUSTOMER_ROWS = [
    ("2001", "22423", "X", 1, "2011-10-03 10:00:00", 10.0, "1", "United Kingdom"),   # A first order (Oct)
    ("2002", "22423", "X", 2, "2011-10-04 10:00:00", 10.0, "2", "United Kingdom"),   # B first order (Oct)
    ("2003", "22423", "X", 1, "2011-10-20 10:00:00", 10.0, "2", "United Kingdom"),   # B second order (Oct)
    ("2004", "22423", "X", 3, "2011-11-02 10:00:00", 10.0, "3", "Germany"),          # C first and only order
    ("C2006", "22423", "X", -1, "2011-11-03 10:00:00", 10.0, "3", "Germany"),        # C's return: no order
    ("2005", "22423", "X", 1, "2011-11-10 10:00:00", 10.0, "1", "United Kingdom"),   # A again (Nov)
    ("2007", "22423", "X", 2, "2011-11-15 10:00:00", 10.0, "4", "United Kingdom"),   # D first order (Nov)
    ("2010", "22423", "X", 1, "2011-11-20 10:00:00", 10.0, None, "United Kingdom"),  # no customer id
    ("2009", "22423", "X", 1, "2011-12-06 10:00:00", 10.0, "4", "United Kingdom"),   # D again (Dec)
    ("2008", "22423", "X", 4, "2011-12-07 10:00:00", 10.0, "1", "United Kingdom"),   # A again (Dec)
]  # revenue by month: Oct 40, Nov 30 - 10 + 10 + 20 + 10 = 60, Dec 50


@pytest.fixture(scope="module")
def cdf() -> pd.DataFrame:
    return _frame(CUSTOMER_ROWS)


def test_new_and_returning_customers(cdf: pd.DataFrame) -> None:
    nov = A.answer(cdf, "new_returning", {"period": NOV})["metrics"]
    assert nov == {"new_customers": 2.0, "returning_customers": 1.0, "customers": 3.0}  # C, D new; A returning
    monthly = A.answer(cdf, "new_returning", {"period": Q4, "grain": "month"})
    assert monthly["metrics"] == {"new_customers": 4.0, "returning_customers": 0.0, "customers": 4.0}
    assert monthly["rows"] == {
        "2011-10": {"new_customers": 2.0, "returning_customers": 0.0, "customers": 2.0},  # A, B
        "2011-11": {"new_customers": 2.0, "returning_customers": 1.0, "customers": 3.0},  # C, D | A
        "2011-12": {"new_customers": 0.0, "returning_customers": 2.0, "customers": 2.0},  # A, D
    }
    germany = A.answer(cdf, "new_returning", {"period": NOV, "filters": {"countries": ["Germany"]}})["metrics"]
    assert germany == {"new_customers": 1.0, "returning_customers": 0.0, "customers": 1.0}


def test_repeat_customers(cdf: pd.DataFrame) -> None:
    q4 = A.answer(cdf, "repeat", {"period": Q4})["metrics"]
    # orders: A 3, B 2, C 1 (its return is no order), D 2
    assert q4 == {"repeat_customers": 3.0, "customers": 4.0, "one_time_customers": 1.0, "repeat_rate": 75.0}
    nov = A.answer(cdf, "repeat", {"period": NOV})["metrics"]
    assert nov["repeat_customers"] == 0.0 and nov["repeat_rate"] == 0.0 and nov["customers"] == 3.0


def test_cohort_retention(cdf: pd.DataFrame) -> None:
    rows = A.answer(cdf, "cohorts", {"cohorts": None})["rows"]
    assert rows == {
        "2011-10": {"customers": 2.0, "month 0": 100.0, "month 1": 50.0, "month 2": 50.0},  # A, B; A in Nov, Dec
        "2011-11": {"customers": 2.0, "month 0": 100.0, "month 1": 50.0},  # C, D; D in Dec
    }
    only_nov = A.answer(cdf, "cohorts", {"cohorts": {"start": "2011-11-01", "end": "2011-12-31"}})["rows"]
    assert list(only_nov) == ["2011-11"]
    capped = A.answer(cdf, "cohorts", {"cohorts": None, "months": 1})["rows"]
    assert set(capped["2011-10"]) == {"customers", "month 0", "month 1"}


def test_best_and_worst_periods_flag_and_skip_partial_ones(cdf: pd.DataFrame) -> None:
    best = A.answer(cdf, "best_period", {"metric": "revenue", "group": "month", "period": None, "order": "desc",
                                         "n": 3})
    assert best["keys"] == ["2011-11", "2011-12", "2011-10"] and best["values"] == [60.0, 50.0, 40.0]
    assert best["partial"] == {"2011-10": True, "2011-11": False, "2011-12": True}
    worst = A.answer(cdf, "best_period", {"metric": "revenue", "group": "month", "period": None, "order": "asc",
                                          "n": 1})
    assert worst["keys"] == ["2011-11"]  # October and December are partial: not "worst" unless asked
    asked = A.answer(cdf, "best_period", {"metric": "revenue", "group": "month", "period": None, "order": "asc",
                                          "n": 1, "include_partial": True})
    assert asked["keys"] == ["2011-10"]
    # Weeks: data starts Monday 3 Oct (2011-W40 complete) and ends Wednesday 7 Dec (2011-W49 partial)
    weeks = A.answer(cdf, "best_period", {"metric": "revenue", "group": "week", "period": None, "order": "asc",
                                          "n": 1})
    assert weeks["partial"]["2011-W40"] is False and weeks["partial"]["2011-W49"] is True
    # W40 30, W42 10, W44 30 - 10, W45 10, W46 20 + 10, W49 50 (partial): W42 and W45 tie, key order decides
    assert weeks["keys"] == ["2011-W42"] and weeks["values"] == [10.0]
    days = A.answer(cdf, "best_period", {"metric": "units", "group": "weekday", "period": None, "order": "desc",
                                         "n": 1})
    assert days["keys"] == ["Wednesday"]  # 2 Nov (3 units) + 7 Dec (4 units)
    # A bucket only partly inside the question's period is partial too
    assert A.is_partial(cdf, "week", "2011-W44", {"start": "2011-11-01", "end": "2011-11-30"})  # 31 Oct-6 Nov


def test_unknown_kind_is_an_error(df: pd.DataFrame) -> None:
    with pytest.raises(ValueError):
        A.answer(df, "nonsense", {})


# -- the question file ------------------------------------------------------------------------------------
def _questions() -> list[dict]:
    lines = (ROOT / "bench" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _check_period(period: object) -> None:
    if period is None:
        return
    assert isinstance(period, dict) and set(period) == {"start", "end"}
    assert date.fromisoformat(period["start"]) <= date.fromisoformat(period["end"])


ARG_KEYS = {"metric", "metrics", "group", "period", "current", "previous", "filters", "total_filters", "n",
            "order", "direction", "grain", "include_partial", "cohorts", "months", "word", "need"}
NEEDS = {"cost", "reviews", "listings", "inventory", "marketing", "traffic", "weather", "forecast", "sales",
         "fulfilment", "customer_profile", "off_topic", "not_understood"}


def test_every_question_names_a_known_kind_with_valid_args() -> None:
    ask = _load("bench_ask", "ask.py")
    questions = _questions()
    assert len({q["id"] for q in questions}) == len(questions)
    assert len({q["question"].strip().lower() for q in questions}) == len(questions)
    for q in questions:
        assert {"id", "question", "kind", "args", "category"} <= set(q) <= {"id", "question", "kind", "args",
                                                                            "category", "set"}, q
        assert q["category"] in ask.CATEGORIES, q
        assert q.get("set", "main") in ("main", "holdout", "fresh"), q  # fresh: graded before any fix
        assert q["kind"] in A.KINDS, q
        args = q["args"]
        assert set(args) <= ARG_KEYS, q
        if q["kind"] == "cannot_answer":
            assert q["category"] in ("unanswerable", "fresh") and set(args) == {"need"} and args["need"] in NEEDS, q
            continue
        if q["kind"] == "not_understood_filter":
            assert q["category"] in ("unmatched_filter", "fresh") and set(args) == {"word"}, q
            continue
        if "metric" in args:
            assert args["metric"] in A.ALL_METRICS, q
        for m in args.get("metrics", []):
            assert m in A.ALL_METRICS, q
        if "group" in args:
            assert args["group"] in A.GROUPS, q
            assert args.get("metric", "revenue") in A.RANK_METRICS, q
        if q["kind"] == "best_period":
            assert args["group"] in A.TIME_GROUPS and args["order"] in ("asc", "desc"), q
            assert args["order"] == "desc" or "include_partial" in args, q  # "worst" says what it does
        if "n" in args:
            assert isinstance(args["n"], int) and 1 <= args["n"] <= 100, q
        if q["kind"] in ("compare", "why_change", "movers"):
            _check_period(args["current"])
            _check_period(args["previous"])
        elif q["kind"] == "cohorts":
            _check_period(args["cohorts"])
        else:
            assert "period" in args, q
            _check_period(args["period"])
        for key in ("filters", "total_filters"):
            assert set(args.get(key, {})) <= set(A.FILTER_KEYS), q
    assert {q["kind"] for q in questions} == set(A.KINDS)  # every kind is exercised


def test_question_set_sizes() -> None:
    questions = _questions()
    legacy = [q for q in questions if q["category"] == "legacy"]
    assert len(legacy) == 169 and [q["id"] for q in legacy] == [f"q{i:03d}" for i in range(1, 170)]
    by_cat = Counter(q["category"] for q in questions)
    assert by_cat["unanswerable"] >= 25
    assert by_cat["unmatched_filter"] >= 10
    new_answerable = [q for q in questions if q["category"] not in ("legacy", "unanswerable", "unmatched_filter")]
    assert len(new_answerable) + by_cat["unmatched_filter"] >= 150
    for cat in ("customers", "shares", "best_worst", "derived", "filters_periods", "returns_adjustments"):
        assert by_cat[cat] >= 15, cat


# -- grading ----------------------------------------------------------------------------------------------
def test_auroc_rank_formula_on_known_examples() -> None:
    ask = _load("bench_ask", "ask.py")
    # the textbook example: of the 4 positive/negative pairs, 3 are ordered right -> 0.75
    assert ask.auroc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == pytest.approx(0.75)
    assert ask.auroc([0.9, 0.8, 0.2], [True, True, False]) == 1.0
    assert ask.auroc([0.2, 0.9], [True, False]) == 0.0
    assert ask.auroc([0.5, 0.5, 0.5], [True, False, True]) == 0.5  # all tied: every pair counts half
    # pairs (pos, neg): (0.7, 0.7) tie = 0.5, (0.7, 0.3) = 1, (0.9, 0.7) = 1, (0.9, 0.3) = 1 -> 3.5 / 4
    assert ask.auroc([0.7, 0.9, 0.7, 0.3], [True, True, False, False]) == pytest.approx(0.875)
    assert ask.auroc([0.3, 0.4], [True, True]) is None  # no negatives: undefined


def test_grader_accepts_tie_swaps_and_rejects_wrong_order() -> None:
    ask = _load("bench_ask", "ask.py")
    expected = {"group": "product", "keys": ["A", "B", "C"], "values": [10.0, 5.0, 5.0],
                "all": {"A": 10.0, "B": 5.0, "C": 5.0, "D": 1.0}}
    args = {"metric": "revenue", "n": 3}

    def report(rows: list[list[object]]) -> dict:
        return {"tables": [{"title": "t", "columns": ["sku", "product", "revenue"], "rows": rows}]}

    ok, _ = ask.grade("top", args, expected, report([["A", "a", 10.0], ["C", "c", 5.0], ["B", "b", 5.0]]))
    assert ok  # B and C have equal values: either order is right
    ok, reason = ask.grade("top", args, expected, report([["B", "b", 5.0], ["A", "a", 10.0], ["C", "c", 5.0]]))
    assert not ok and "position 1" in reason
    ok, reason = ask.grade("top", args, expected, report([["A", "a", 10.0], ["B", "b", 5.0], ["D", "d", 1.0]]))
    assert not ok and "position 3" in reason
    ok, reason = ask.grade("top", args, expected, report([["A", "a", 10.0], ["B", "b", 5.0], ["C", "c", 7.0]]))
    assert not ok and "keys right" in reason  # right keys, wrong number next to one of them


def test_grader_customer_rankings_need_a_customer_column() -> None:
    ask = _load("bench_ask", "ask.py")
    expected = {"group": "customer", "keys": ["17850"], "values": [99.0], "all": {"17850": 99.0, "12345": 1.0}}
    table = {"columns": ["customer", "revenue"], "rows": [["17850.0", 99.0], ["12345", 1.0]]}
    assert ask.grade("top", {"metric": "revenue", "n": 1}, expected, {"tables": [table]})[0]
    table = {"columns": ["country", "revenue"], "rows": [["17850", 99.0]]}
    ok, reason = ask.grade("top", {"metric": "revenue", "n": 1}, expected, {"tables": [table]})
    assert not ok and "'customer'" in reason


def test_grader_metrics_tolerance_and_breakdown_groups() -> None:
    ask = _load("bench_ask", "ask.py")
    ok, _ = ask.grade("metric", {"metric": "revenue"}, {"value": 1000.0}, {"metrics": {"revenue": 1004.9}})
    assert ok  # within 0.5%
    ok, _ = ask.grade("metric", {"metric": "revenue"}, {"value": 1000.0}, {"metrics": {"revenue": 1006.0}})
    assert not ok
    expected = {"groups": {"Monday": 3.0, "Tuesday": 4.0}}
    args = {"metric": "orders", "group": "weekday"}
    table = {"columns": ["weekday", "orders"], "rows": [["monday", 3], ["Tuesday", 4], ["Saturday", 0]]}
    ok, _ = ask.grade("breakdown", args, expected, {"tables": [table]})
    assert ok  # a zero-valued extra group is harmless
    table = {"columns": ["weekday", "orders"], "rows": [["Monday", 3]]}
    ok, reason = ask.grade("breakdown", args, expected, {"tables": [table]})
    assert not ok and "Tuesday missing" in reason
    cmp = {"current": 110.0, "previous": 100.0, "change": 10.0, "change_pct": 10.0}
    metrics = {"revenue": 110.0, "revenue_previous": 100.0, "revenue_change": 10.0, "revenue_change_pct": 0.1}
    ok, reason = ask.grade("compare", {"metric": "revenue"}, cmp, {"metrics": metrics})
    assert not ok and "revenue_change_pct" in reason  # a fraction is not a percentage


def test_grader_refusals_and_unmatched_filter_words() -> None:
    ask = _load("bench_ask", "ask.py")
    refusal = {"status": "cannot_answer", "metrics": {}, "tables": [], "missing": "cost", "summary": "No costs."}
    assert ask.grade("cannot_answer", {"need": "cost"}, {"need": "cost"}, refusal)[0]
    answered = {"status": "ok", "metrics": {"revenue": 5.0}, "tables": []}
    assert not ask.grade("cannot_answer", {"need": "cost"}, {"need": "cost"}, answered)[0]
    assert ask.symptom("cannot_answer", False, answered) == "answered_unanswerable"
    half = {"status": "cannot_answer", "metrics": {"revenue": 5.0}, "tables": []}
    assert not ask.grade("cannot_answer", {"need": "cost"}, {"need": "cost"}, half)[0]  # refuses, yet a number
    # an answerable question refused is wrong, even when the numbers it lacks would have matched
    ok, reason = ask.grade("metric", {"metric": "revenue"}, {"value": 1.0}, refusal)
    assert not ok and "refused" in reason and ask.symptom("metric", ok, refusal) == "refused"
    assert ask.symptom("metric", False, None) == "error"
    word = {"word": "new york"}
    noted = {"status": "ok", "metrics": {"revenue": 9.0}, "not_understood": ["New York"]}
    assert ask.grade("not_understood_filter", word, word, noted)[0]
    assert ask.grade("not_understood_filter", word, word, {**noted, "not_understood": ["york customers"]})[0]
    assert ask.grade("not_understood_filter", word, word, {"status": "cannot_answer", "metrics": {}})[0]
    silent = {"status": "ok", "metrics": {"revenue": 9.0}, "not_understood": ["customers"]}
    assert not ask.grade("not_understood_filter", word, word, silent)[0]
    assert ask.symptom("not_understood_filter", False, silent) == "ignored_filter"


def test_grader_best_periods_skip_empty_periods_and_check_the_partial_flag() -> None:
    ask = _load("bench_ask", "ask.py")
    expected = {"group": "weekday", "keys": ["Sunday"], "values": [5.0], "all": {"Sunday": 5.0, "Monday": 9.0},
                "partial": {"Sunday": False, "Monday": False}}
    args = {"metric": "revenue", "n": 1}
    table = {"columns": ["weekday", "revenue", "partial"], "rows": [["Saturday", 0, False], ["Sunday", 5.0, False]]}
    assert ask.grade("best_period", args, expected, {"tables": [table]})[0]  # no Saturday trading at all
    expected = {"group": "quarter", "keys": ["2011-Q4"], "values": [7.0], "all": {"2011-Q4": 7.0, "2011-Q3": 6.0},
                "partial": {"2011-Q4": True, "2011-Q3": False}}
    table = {"columns": ["quarter", "revenue", "partial"], "rows": [["2011-Q4", 7.0, True], ["2011-Q3", 6.0, False]]}
    assert ask.grade("best_period", args, expected, {"tables": [table]})[0]
    table["rows"][0][2] = False
    ok, reason = ask.grade("best_period", args, expected, {"tables": [table]})
    assert not ok and "partial" in reason
    table = {"columns": ["quarter", "revenue"], "rows": [["Q4 2011", 7.0]]}
    ok, reason = ask.grade("best_period", args, expected, {"tables": [table]})
    assert not ok and "partial" in reason  # the user is not told Q4 2011 is incomplete


def test_grader_cohorts_and_new_returning_tables() -> None:
    ask = _load("bench_ask", "ask.py")
    expected = {"rows": {"2011-10": {"customers": 2.0, "month 0": 100.0, "month 1": 50.0}}}
    table = {"columns": ["cohort", "customers", "month 0", "month 1"], "rows": [["2011-10", 2, 100.0, 50.04]]}
    assert ask.grade("cohorts", {}, expected, {"tables": [table]})[0]  # within 0.1 percentage point
    table["rows"][0][3] = 40.0
    ok, reason = ask.grade("cohorts", {}, expected, {"tables": [table]})
    assert not ok and "month 1" in reason
    expected = {"metrics": {"new_customers": 2.0, "returning_customers": 1.0, "customers": 3.0}, "grain": "month",
                "rows": {"2011-11": {"new_customers": 2.0, "returning_customers": 1.0, "customers": 3.0}}}
    report = {"metrics": dict(expected["metrics"]),
              "tables": [{"columns": ["period", "new_customers", "returning_customers", "customers"],
                          "rows": [["2011-11-01", 2, 1, 3]]}]}
    assert ask.grade("new_returning", {}, expected, report)[0]
    report["metrics"]["new_customers"] = 3.0
    assert not ask.grade("new_returning", {}, expected, report)[0]


def test_summary_rates_and_calibration() -> None:
    ask = _load("bench_ask", "ask.py")
    records = [
        {"id": "a", "kind": "metric", "category": "derived", "passed": True, "confidence": 0.9, "status": "ok"},
        {"id": "b", "kind": "metric", "category": "derived", "passed": False, "symptom": "refused",
         "confidence": 0.2, "status": "cannot_answer"},
        {"id": "c", "kind": "cannot_answer", "category": "unanswerable", "passed": True, "confidence": 0.8,
         "status": "cannot_answer"},
        {"id": "d", "kind": "cannot_answer", "category": "unanswerable", "passed": False,
         "symptom": "answered_unanswerable", "confidence": 0.6, "status": "ok"},
        {"id": "e", "kind": "not_understood_filter", "category": "unmatched_filter", "passed": True,
         "confidence": 0.1, "status": "cannot_answer"},
    ]
    s = ask.summarise(records)
    assert s["accuracy_pct"] == 60.0
    assert s["unanswerable"]["honest_refusal_pct"] == 50.0
    assert s["answerable"] == {"questions": 2, "refused": 1, "false_refusal_pct": 50.0, "refused_ids": ["b"]}
    assert s["confidence"]["mean_correct"] == pytest.approx((0.9 + 0.8 + 0.1) / 3, abs=1e-3)
    assert s["confidence"]["mean_incorrect"] == pytest.approx(0.4)
    # positives 0.9, 0.8, 0.1 vs negatives 0.2, 0.6: pairs right = 2 + 2 + 0 = 4 of 6
    assert s["confidence"]["auroc"] == pytest.approx(4 / 6, abs=1e-3)
    assert s["failed_by_symptom"] == {"answered_unanswerable": ["d"], "refused": ["b"]}
    assert s["by_category"]["derived"] == {"questions": 2, "passed": 1, "accuracy_pct": 50.0}
