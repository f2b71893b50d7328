"""Value parsers: examples from real files plus hypothesis properties (round trips over generated values)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomintel.ingest.normalize import (
    clean_id,
    clean_text,
    parse_bool,
    parse_datetime,
    parse_int,
    parse_number,
    parse_percent,
)


def S(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype="str")


@pytest.mark.parametrize("text, value", [
    ("2.55", 2.55), ("-3", -3.0), ("₹1,099", 1099.0), ("$399.00", 399.0), ("1.234,56", 1234.56),
    ("1,234.56", 1234.56), ("(12.50)", -12.5), ("1,00,000", 100000.0), ("€ 5", 5.0), ("1.234.567", 1234567.0),
    ("Rs.1,099", 1099.0), ("GBP 2.10", 2.10), ("2,5", 2.5), (" 7 ", 7.0), ("1 234,50", 1234.5),
])
def test_prices(text: str, value: float) -> None:
    assert parse_number(S(text)).iloc[0] == pytest.approx(value)


@pytest.mark.parametrize("text", ["abc", "", "12abc34", "nan", "inf", "1,2,3,4.5.6", "(5", "=1+2", "--5"])
def test_unparseable_numbers_are_nan(text: str) -> None:
    assert math.isnan(parse_number(S(text)).iloc[0])


def test_percent_and_whole_numbers_and_bools() -> None:
    assert parse_percent(S("64%", "12.5 %")).tolist() == [64.0, 12.5]
    assert parse_int(S("24,269", "2.5", "x")).tolist()[0] == 24269
    assert parse_int(S("24,269", "2.5", "x")).isna().tolist() == [False, True, True]
    out = parse_bool(S("Yes", "0", "verified", "maybe"))
    assert out.tolist()[:3] == [True, False, True] and pd.isna(out.iloc[3])


@pytest.mark.parametrize("text, value", [
    ("2011-12-09 12:50:00", datetime(2011, 12, 9, 12, 50)),
    ("2011-12-09", datetime(2011, 12, 9)),
    ("2011-12-09T10:00:00+02:00", datetime(2011, 12, 9, 8, 0)),
    ("12/31/2011 13:05", datetime(2011, 12, 31, 13, 5)),
    ("31.12.2011", datetime(2011, 12, 31)),
    ("31.12.2011 13:05", datetime(2011, 12, 31, 13, 5)),
    ("40909", datetime(2012, 1, 1)),
    ("40909.5", datetime(2012, 1, 1, 12)),
    ("Dec 31, 2011", datetime(2011, 12, 31)),
    ("20111231", datetime(2011, 12, 31)),
])
def test_dates(text: str, value: datetime) -> None:
    assert parse_datetime(S(text)).iloc[0] == pd.Timestamp(value)


def test_slash_dates_follow_the_column() -> None:
    assert parse_datetime(S("01/02/2011", "12/31/2011")).tolist() == [pd.Timestamp(2011, 1, 2), pd.Timestamp(2011, 12, 31)]
    assert parse_datetime(S("01/02/2011", "31/12/2011")).tolist() == [pd.Timestamp(2011, 2, 1), pd.Timestamp(2011, 12, 31)]


@pytest.mark.parametrize("text", ["bad", "2011-13-45", "32.13.2011", "yesterday", "=NOW()"])
def test_unparseable_dates_are_nat(text: str) -> None:
    assert pd.isna(parse_datetime(S(text)).iloc[0])


def test_ids_and_text() -> None:
    assert clean_id(S("17850.0", " A1 ", "", "1.5", "007")).tolist() == ["17850", "A1", None, "1.5", "007"]
    assert clean_text(S("  x ", "", "=1+2")).tolist() == ["x", None, "=1+2"]


# -- properties ---------------------------------------------------------------------------------------
money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(money, st.sampled_from(["{}", "${}", "₹{}", "£ {}", "{} EUR", "USD {}"]), st.booleans(), st.booleans())
@settings(max_examples=300, deadline=None)
def test_price_formats_round_trip(value, template: str, thousands: bool, european: bool) -> None:
    text = f"{value:,.2f}" if thousands else f"{value:.2f}"
    if european:  # 1,234.56 → 1.234,56
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    parsed = parse_number(S(template.format(text))).iloc[0]
    assert parsed == pytest.approx(float(value), abs=1e-6)


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False))
@settings(max_examples=300, deadline=None)
def test_plain_floats_round_trip(value: float) -> None:
    assert parse_number(S(repr(value))).iloc[0] == value


@given(st.text(max_size=30))
@settings(max_examples=300, deadline=None)
def test_parsers_never_raise_on_arbitrary_text(text: str) -> None:
    s = S(text)
    for parse in (parse_number, parse_percent, parse_datetime, clean_id, clean_text, parse_bool):
        assert len(parse(s)) == 1
    value = parse_number(s).iloc[0]
    assert math.isnan(value) or math.isfinite(value)


moments = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(microsecond=0))


@given(moments, st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %H:%M:%S",
                                 "%d.%m.%Y %H:%M:%S", "%Y/%m/%d %H:%M:%S"]))
@settings(max_examples=300, deadline=None)
def test_date_formats_round_trip(moment: datetime, fmt: str) -> None:
    assert parse_datetime(S(moment.strftime(fmt))).iloc[0] == pd.Timestamp(moment)


@given(st.integers(min_value=20000, max_value=79999), st.integers(min_value=0, max_value=86399))
@settings(max_examples=200, deadline=None)
def test_excel_serials(days: int, seconds: int) -> None:
    serial = days + seconds / 86400
    expected = pd.Timestamp(datetime(1899, 12, 30) + timedelta(days=days, seconds=seconds))
    assert abs(parse_datetime(S(repr(serial))).iloc[0] - expected) <= pd.Timedelta(seconds=1)


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(["", ".0", ".00"]), st.sampled_from(["", " "]))
@settings(max_examples=300, deadline=None)
def test_float_looking_ids_lose_the_zero_fraction(number: int, suffix: str, pad: str) -> None:
    assert clean_id(S(f"{pad}{number}{suffix}{pad}")).iloc[0] == str(number)
