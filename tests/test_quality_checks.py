"""The data-quality checks on small hand-made frames with known problems, and the score's properties
(100 on clean data, never higher when a defect is added) — ecomintel/quality/checks.py and issues.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomintel.quality import checks as ck
from ecomintel.quality.issues import MIN_POINTS, Issue, points, score


def trading_days(start: date, end: date, closed: tuple[int, ...] = (5,)) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)
            if (start + timedelta(days=i)).weekday() not in closed]


# -- gaps and weekday patterns -------------------------------------------------------------------------
def test_a_shop_closed_on_saturdays_has_a_pattern_not_gaps() -> None:
    days = trading_days(date(2011, 1, 3), date(2011, 6, 30))
    assert ck.trading_weekdays(days) == {0, 1, 2, 3, 4, 6}
    assert ck.gap_runs(days) == []
    issues = ck.gap_issues("sales", days)
    assert [i.check for i in issues] == ["closed_weekdays"]
    assert issues[0].points == 0 and "Saturday" in issues[0].title


def test_missing_weekdays_are_a_gap_with_their_dates() -> None:
    days = trading_days(date(2011, 1, 3), date(2011, 6, 30))
    missing = {date(2011, 3, 15), date(2011, 3, 16), date(2011, 3, 17)}  # Tue–Thu
    days = [d for d in days if d not in missing]
    assert ck.gap_runs(days) == [(date(2011, 3, 15), date(2011, 3, 17), 3)]
    gap = next(i for i in ck.gap_issues("sales", days) if i.check == "gap_days")
    assert gap.rows == 3 and gap.points > 0 and "2011-03-15..2011-03-17" in gap.detail


def test_a_gap_spanning_a_closed_saturday_is_one_run_without_counting_it() -> None:
    days = trading_days(date(2011, 1, 3), date(2011, 6, 30))
    missing = {date(2011, 3, 18), date(2011, 3, 20)}  # Friday, (Saturday closed), Sunday
    days = [d for d in days if d not in missing]
    assert ck.gap_runs(days) == [(date(2011, 3, 18), date(2011, 3, 20), 2)]


# -- robust statistics ---------------------------------------------------------------------------------
def test_robust_z_ignores_the_outlier_it_finds() -> None:
    values = np.array([10.0, 11, 9, 10, 10.5, 9.5, 1000])
    z = ck.robust_z(values)
    assert abs(z[-1]) > 100 and np.all(np.abs(z[:-1]) < 3)


def test_iqr_fences() -> None:
    lo, hi = ck.iqr_bounds([1, 2, 3, 4, 5, 6, 7, 8], k=1.5)
    assert lo < 1 and 8 < hi < 20


def test_price_outlier_within_its_sku_only() -> None:
    groups = pd.DataFrame({"sku": ["MUG"] * 4 + ["LAMP"] * 3,
                           "unit_price": [2.55, 2.95, 2.10, 2550.0, 45.0, 49.0, 39.0],
                           "lines": [300, 100, 50, 1, 20, 10, 5]})
    out = ck.log_outliers(groups, "sku", "unit_price", "lines", mad_floor=0.1)
    assert out[["sku", "unit_price"]].values.tolist() == [["MUG", 2550.0]]
    assert abs(out["median"].iloc[0] - 2.55) < 0.01


def test_quantity_outliers_need_a_minimum_size() -> None:
    groups = pd.DataFrame({"sku": ["A"] * 3, "quantity": [1.0, 2.0, 80.0], "lines": [500, 300, 1]})
    assert ck.log_outliers(groups, "sku", "quantity", "lines", mad_floor=0.25, min_abs=100).empty
    groups.loc[2, "quantity"] = 80995.0
    assert ck.log_outliers(groups, "sku", "quantity", "lines", mad_floor=0.25, min_abs=100)["quantity"].tolist() == [80995.0]


def test_daily_outliers_and_customer_dropout() -> None:
    days = [(date(2011, 1, 3) + timedelta(days=i)).isoformat() for i in range(40)]
    rng = np.random.default_rng(1)
    daily = pd.DataFrame({"day": days, "lines": 100, "revenue": rng.normal(1000, 50, 40),
                          "no_customer": rng.integers(10, 20, 40)})
    daily.loc[20, "revenue"] = 25_000.0
    daily.loc[25, "no_customer"] = 100
    assert ck.daily_outliers(daily)["day"].tolist() == [days[20]]
    assert ck.share_spikes(daily, "no_customer")["day"].tolist() == [days[25]]


def test_several_names_and_currencies_per_sku() -> None:
    items = pd.DataFrame({"sku": ["A", "A", "B", "C", "C"], "product_name": ["Mug", "MUG red", "Lamp", "Cup", "Cup"],
                          "currency": ["GBP", "GBP", "GBP", "GBP", "USD"], "lines": [10, 2, 5, 3, 1]})
    names = ck.several_per_key(items, "sku", "product_name", "lines")
    assert names["sku"].tolist() == ["A"] and names["values"].iloc[0] == ["Mug", "MUG red"]
    currencies = ck.several_per_key(items, "sku", "currency", "lines")
    assert currencies["sku"].tolist() == ["C"]


def test_freshness_against_cadence() -> None:
    days = trading_days(date(2011, 1, 3), date(2011, 3, 31))
    assert ck.freshness_issues("sales", datetime(2011, 3, 31), datetime(2011, 4, 3), days) == []
    stale = ck.freshness_issues("sales", datetime(2011, 3, 31), datetime(2011, 6, 30), days)
    assert stale and stale[0].rows == 91 and "every 1 day" in stale[0].detail


def test_completeness_absent_column_is_info_and_partial_costs() -> None:
    profile = {"rows": 100, "empty": {"customer_id": 30, "channel": 100, "country": 0}}
    issues = {i.title: i for i in ck.completeness_issues("sales", profile, {"customer_id": 10.0, "channel": 1.0,
                                                                           "country": 3.0})}
    assert issues["channel is empty on every row"].points == 0
    assert issues["customer_id is missing on 30.0% of rows"].points == 6.0
    assert issues["customer_id is missing on 30.0% of rows"].locator == {"dataset": "sales", "condition": "no_customer"}
    assert ck.completeness(profile)["customer_id"] == 0.7


def test_import_issues_count_rejected_rows_of_done_batches_only() -> None:
    batches = pd.DataFrame({"batch": [1, 2, 1], "batch_id": [801, 802, 803], "kind": ["sales", "sales", "reviews"],
                            "status": ["done", "skipped", "done"], "file_name": ["a.csv", "a.csv", "r.csv"],
                            "rows_total": [1000, 0, 50], "rows_rejected": [20, 0, 5], "rows_duplicate": [3, 0, 0],
                            "profile": [{"warnings": 4}, None, None]})
    issues = {i.check: i for i in ck.import_issues("sales", batches)}
    assert issues["rejected_rows"].rows == 20 and issues["rejected_rows"].locator == {"dataset": "rejected", "batch": 1}
    assert "batch 1 a.csv" in issues["rejected_rows"].detail and "801" not in issues["rejected_rows"].detail  # per tenant
    assert issues["duplicate_rows"].points == 0
    assert issues["dropped_values"].rows == 4


# -- the score -----------------------------------------------------------------------------------------
def test_points_are_monotone_capped_and_at_least_the_minimum() -> None:
    assert points(0, 100, 10, 0.5) == 0
    assert points(1, 1_000_000, 10, 0.5) == MIN_POINTS
    assert points(50, 100, 10, 0.5) == 10 == points(100, 100, 10, 0.5)
    assert score([]) == 100
    assert score([Issue("x", "sales", "info", "t", "d", 5)]) == 100


N_DAYS = 84


def defect_issues(gaps: int, zero_prices: int, no_customer: int, outlier: bool) -> list[Issue]:
    """The issues the checks find on a synthetic shop (Saturdays closed) with the given defects."""
    start = date(2011, 1, 3)
    all_days = trading_days(start, start + timedelta(days=N_DAYS - 1))
    removed = set(all_days[10:10 + gaps])
    days = [d for d in all_days if d not in removed]
    rows = 1000
    daily = pd.DataFrame({"day": [d.isoformat() for d in days], "lines": 20,
                          "revenue": [1000.0 + (i % 7) for i in range(len(days))], "no_customer": 2})
    if outlier:
        daily.loc[3, "revenue"] = 1_000_000.0
    issues = ck.gap_issues("sales", days)
    issues += ck.condition_issue("sales", "zero_price_sale", zero_prices, rows, title="z", detail="z", weight=5,
                                 saturate=0.01)
    issues += ck.completeness_issues("sales", {"rows": rows, "empty": {"customer_id": no_customer}},
                                     {"customer_id": 10.0})
    out = ck.daily_outliers(daily)
    if not out.empty:
        issues.append(Issue("daily_revenue_outliers", "sales", "warning", "o", "o", len(out),
                            points=points(len(out), len(daily), 5.0, 0.02)))
    return issues


defects = st.tuples(st.integers(0, 6), st.integers(0, 50), st.integers(0, 999), st.booleans())


@settings(max_examples=60, deadline=None)
@given(defects, defects)
def test_score_is_100_on_clean_data_and_never_rises_with_more_defects(a: tuple, b: tuple) -> None:
    clean = score(defect_issues(0, 0, 0, False))
    assert clean == 100
    low = tuple(min(x, y) for x, y in zip(a, b, strict=True))
    high = tuple(max(x, y) for x, y in zip(a, b, strict=True))
    s_low, s_high = score(defect_issues(*low)), score(defect_issues(*high))
    assert s_high <= s_low <= 100
    if any(high):
        assert s_high < 100  # any defect shows in the score


def test_issue_titles_count_in_the_singular_and_the_plural() -> None:
    assert [ck.counted(1, "line"), ck.counted(2, "SKU"), ck.counted(1200, "row")] == ["1 line", "2 SKUs", "1,200 rows"]
