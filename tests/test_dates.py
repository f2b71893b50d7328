"""Calendar helpers and the one time-grain rule (ecomintel/dates.py), and that the planner and the sales agent
both use that rule (they used to disagree: 185 vs 120 days)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomintel import dates
from ecomintel.agents.time_buckets import PeriodSpec, time_grain_of
from ecomintel.ask.offline_planner import trend_grain
from ecomintel.ask.plan import Period


def test_spans_and_labels() -> None:
    assert dates.month_span(2012, 2) == (date(2012, 2, 1), date(2012, 2, 29))
    assert dates.month_end(date(2011, 11, 5)) == date(2011, 11, 30)
    assert dates.quarter_span(2011, 4) == (date(2011, 10, 1), date(2011, 12, 31))
    assert dates.quarter_of(date(2011, 9, 30)) == 3
    assert dates.week_span(2011, 48) == (date(2011, 11, 28), date(2011, 12, 4))
    assert dates.week_containing(date(2011, 11, 9)) == (date(2011, 11, 7), date(2011, 11, 13))
    assert dates.week_containing(date(2011, 11, 13)) == (date(2011, 11, 7), date(2011, 11, 13))  # a Sunday
    assert dates.weeks_in_year(2011) == 52 and dates.weeks_in_year(2015) == 53
    assert dates.iso_week_label(date(2012, 1, 1)) == "2011-W52"  # a Sunday belongs to the ISO year before
    assert dates.iso_week_label(date(2011, 11, 9)) == "2011-W45"
    assert dates.month_label(2011, 11) == "Nov 2011"
    assert dates.quarter_label(2011, 4) == "Q4 2011"


def test_add_months_clips_to_the_month_length() -> None:
    assert dates.add_months(date(2011, 1, 31), 1) == date(2011, 2, 28)
    assert dates.add_months(date(2012, 3, 31), -1) == date(2012, 2, 29)
    assert dates.add_months(date(2011, 12, 9), -12) == date(2010, 12, 9)
    assert dates.add_months(date(2011, 11, 15), 2) == date(2012, 1, 15)


@pytest.mark.parametrize(("days", "grain"), [(1, "day"), (31, "day"), (32, "week"), (120, "week"),
                                             (121, "week"), (185, "week"), (186, "month"), (400, "month")])
def test_time_grain(days: int, grain: str) -> None:
    start = date(2011, 1, 1)
    assert dates.time_grain(start, start + timedelta(days=days - 1)) == grain


@given(start=st.dates(date(2000, 1, 1), date(2030, 1, 1)), days=st.integers(1, 800))
def test_planner_and_sales_agent_use_the_same_grain(start: date, days: int) -> None:
    end = start + timedelta(days=days - 1)
    grain = dates.time_grain(start, end)
    assert trend_grain([Period(start=start, end=end)]) == grain
    assert time_grain_of(PeriodSpec(start, end, "")) == grain


@given(day=st.dates(date(1990, 1, 1), date(2035, 12, 31)))
def test_week_containing_is_monday_to_sunday(day: date) -> None:
    monday, sunday = dates.week_containing(day)
    assert monday.weekday() == 0 and sunday - monday == timedelta(days=6) and monday <= day <= sunday
    year, week, _ = day.isocalendar()
    assert dates.week_span(year, week) == (monday, sunday)
    assert dates.iso_week_label(day) == f"{year}-W{week:02d}"
