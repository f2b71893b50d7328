"""The bench's independent pandas answers are only worth something if they are right: check them on a tiny
hand-made frame whose answers are worked out by hand below, and check that every benchmark question names
an answer kind that exists with well-formed arguments."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_answers() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_answers", ROOT / "bench" / "answers.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_answers"] = module
    spec.loader.exec_module(module)
    return module


A = _load_answers()

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
    ("1005", "85123A", "HEART", -3, "2011-11-03 10:00:00", 0.0, None, "United Kingdom"),        # stock adj: return, rev 0
    ("1006", "85123A", "HEART", 0, "2011-11-04 10:00:00", 2.55, "1.0", "United Kingdom"),       # rejected qty 0
    ("1007", "B", "BAD DEBT", 1, "2011-11-04 10:00:00", -11062.06, None, "United Kingdom"),     # rejected price < 0
    ("", "22423", "CAKESTAND", 1, "2011-11-04 10:00:00", 12.75, None, "United Kingdom"),        # rejected no invoice
    ("1008", "22423", "CAKESTAND", 1, "2011-12-01 10:00:00", 12.75, "99.0", "United Kingdom"),  # outside November
    ("1009", "21000", "FREEBIE", 5, "2011-11-05 11:00:00", 0.0, "17850.0", "United Kingdom"),   # free item, valid
]
NOV = {"start": "2011-11-01", "end": "2011-11-30"}
OCT = {"start": "2011-10-01", "end": "2011-10-31"}


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    raw = pd.DataFrame(ROWS, columns=COLUMNS).astype({"CustomerID": "object"})
    return A.clean(raw)


def test_clean_rejects_invalid_lines_and_drops_duplicates(df: pd.DataFrame) -> None:
    assert len(df) == len(ROWS) - 4  # 3 rejected + 1 duplicate
    assert "B" not in set(df["sku"])
    assert (df["sku"] == "POST").sum() == 1
    assert set(df["customer_id"].dropna()) == {"17850", "12345", "99"}
    assert df.loc[df["order_id"] == "C1004", "is_return"].all()
    assert df.loc[df["order_id"] == "1005", "is_return"].all()  # negative quantity without a C invoice


def test_single_period_metrics_by_hand(df: pd.DataFrame) -> None:
    got = A.answer(df, "overview", {"period": NOV})["metrics"]
    gross = 15.30 + 25.50 + 40.0 + 51.0 + 100.0 + 25.50 + 0.0
    assert got["revenue"] == pytest.approx(gross - 12.75)
    assert got["units"] == 6 + 2 + 1 + 4 + 1 + 10 - 1 - 3 + 5
    assert got["orders"] == 4  # 1001 1002 1003 1009 (returns and December excluded)
    assert got["customers"] == 2  # 17850, 12345 (1003 has no customer, 99 is in December)
    assert got["aov"] == pytest.approx(gross / 4)


def test_filters_and_inclusive_end_date(df: pd.DataFrame) -> None:
    germany = A.answer(df, "metric", {"metric": "revenue", "period": NOV, "filters": {"countries": ["Germany"]}})
    assert germany["value"] == pytest.approx(151.0)  # includes the 23:59 line on the last day
    no_uk = A.answer(df, "metric", {"metric": "revenue", "period": NOV,
                                    "filters": {"exclude_countries": ["United Kingdom"]}})
    assert no_uk["value"] == pytest.approx(151.0 + 25.50)
    sku = A.answer(df, "metric", {"metric": "units", "period": NOV, "filters": {"skus": ["22423"]}})
    assert sku["value"] == 2 + 4 - 1
    everything = A.answer(df, "metric", {"metric": "revenue", "period": None})
    assert everything["value"] == pytest.approx(244.55 + 12.75)


def test_product_ranking_excludes_non_products(df: pd.DataFrame) -> None:
    top = A.answer(df, "top", {"metric": "revenue", "group": "product", "period": NOV, "n": 10})
    assert top["keys"] == ["22423", "85123A", "21000"]  # 63.75, 40.80, 0 — POST and gift voucher left out
    assert top["values"] == pytest.approx([63.75, 40.80, 0.0])
    bottom = A.answer(df, "top", {"metric": "units", "group": "product", "period": NOV, "n": 1, "order": "asc"})
    assert bottom["keys"] == ["21000"]
    by_customers = A.answer(df, "top", {"metric": "customers", "group": "product", "period": NOV, "n": 2})
    assert by_customers["values"] == [2.0, 1.0]
    assert by_customers["keys"][0] == "22423"


def test_country_ranking_keeps_non_product_lines(df: pd.DataFrame) -> None:
    top = A.answer(df, "top", {"metric": "revenue", "group": "country", "period": NOV, "n": 3})
    assert top["keys"] == ["Germany", "United Kingdom", "France"]
    assert top["values"] == pytest.approx([151.0, 15.30 + 25.50 + 40.0 - 12.75, 25.50])


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


def test_iso_week_at_year_boundary() -> None:
    raw = pd.DataFrame([("1", "22423", "X", 1, "2011-01-02 10:00:00", 1.0, None, "UK")], columns=COLUMNS)
    week = A.answer(A.clean(raw), "breakdown", {"metric": "units", "group": "week", "period": None})["groups"]
    assert week == {"2010-W52": 1.0}  # Sunday 2 Jan 2011 belongs to ISO week 52 of 2010


def test_compare_movers_and_returns(df: pd.DataFrame) -> None:
    cmp = A.answer(df, "compare", {"metric": "revenue", "current": {"start": "2011-12-01", "end": "2011-12-09"},
                                   "previous": NOV})
    assert cmp["current"] == pytest.approx(12.75)
    assert cmp["previous"] == pytest.approx(244.55)
    assert cmp["change"] == pytest.approx(12.75 - 244.55)
    assert cmp["change_pct"] == pytest.approx((12.75 - 244.55) / 244.55 * 100)
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
    assert returns["keys"] == ["85123A", "22423"] and returns["values"] == [3.0, 1.0]


def test_unknown_kind_is_an_error(df: pd.DataFrame) -> None:
    with pytest.raises(ValueError):
        A.answer(df, "nonsense", {})


def _questions() -> list[dict]:
    lines = (ROOT / "bench" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _check_period(period: object) -> None:
    if period is None:
        return
    assert isinstance(period, dict) and set(period) == {"start", "end"}
    assert date.fromisoformat(period["start"]) <= date.fromisoformat(period["end"])


def test_every_question_names_a_known_kind_with_valid_args() -> None:
    questions = _questions()
    assert len(questions) >= 80
    assert len({q["id"] for q in questions}) == len(questions)
    assert len({q["question"].lower() for q in questions}) == len(questions)
    for q in questions:
        assert {"id", "question", "kind", "args"} <= set(q) <= {"id", "question", "kind", "args", "set"}, q
        assert q.get("set", "main") in ("main", "holdout"), q
        assert q["kind"] in A.KINDS, q
        args = q["args"]
        if "metric" in args:
            assert args["metric"] in A.METRICS, q
        if "group" in args:
            assert args["group"] in A.GROUPS, q
        if "n" in args:
            assert isinstance(args["n"], int) and 1 <= args["n"] <= 100, q
        if q["kind"] in ("compare", "why_change", "movers"):
            _check_period(args["current"])
            _check_period(args["previous"])
        else:
            assert "period" in args, q
            _check_period(args["period"])
        assert set(args.get("filters", {})) <= {"countries", "exclude_countries", "skus"}, q
    assert {q["kind"] for q in questions} == set(A.KINDS)  # every kind is exercised


def _load_ask() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_ask", ROOT / "bench" / "ask.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_ask"] = module
    spec.loader.exec_module(module)
    return module


def test_grader_accepts_tie_swaps_and_rejects_wrong_order() -> None:
    ask = _load_ask()
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


def test_grader_metrics_tolerance_and_breakdown_groups() -> None:
    ask = _load_ask()
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
