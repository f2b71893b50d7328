"""Calendar helpers and the one time-grain rule.

Everything that turns a date into a month, quarter or ISO week (or back) lives here, so the period parser,
the planner, the agents and the queries agree on what "Q4", "2011-W48" or "a month later" means.
Weeks are ISO weeks: Monday to Sunday, numbered within the ISO year (2012-01-01 is in 2011-W52).

The time-grain rule (`time_grain`): a trend over a span of up to 31 days is shown by day, up to 185 days
by week, longer by month. Why 185: a half year (H1 is 181 days, H2 184) still reads best as ~26 weekly
points, while monthly points would give only 6; a quarter or "the last 4 months" by month would give 3–4
points, too few to see a trend. Beyond ~6 months weekly points become too many to read (and too many
calendar buckets for one query), and months give 7+ points. Before issue 7 the planner used 185 and the
sales agent 120, so the same period was charted by week in one answer and by month in another.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Literal

Grain = Literal["day", "week", "month"]

DAY_GRAIN_MAX_DAYS = 31
WEEK_GRAIN_MAX_DAYS = 185


def time_grain(start: date, end: date) -> Grain:
    """The grain a trend over start..end (inclusive) is shown in: day ≤ 31 days < week ≤ 185 days < month."""
    days = (end - start).days + 1
    if days <= DAY_GRAIN_MAX_DAYS:
        return "day"
    if days <= WEEK_GRAIN_MAX_DAYS:
        return "week"
    return "month"


def month_span(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    return month_span(day.year, day.month)[1]


def quarter_of(day: date) -> int:
    """1..4."""
    return (day.month - 1) // 3 + 1


def quarter_span(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a calendar quarter (1..4)."""
    start = date(year, 3 * (quarter - 1) + 1, 1)
    return start, month_span(year, 3 * quarter)[1]


def week_span(year: int, week: int) -> tuple[date, date]:
    """Monday and Sunday of ISO week `week` of ISO year `year` (ValueError when the week does not exist)."""
    monday = date.fromisocalendar(year, week, 1)
    return monday, monday + timedelta(days=6)


def week_containing(day: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week that contains `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def weeks_in_year(year: int) -> int:
    """52 or 53: the ISO week of 28 December is always the year's last."""
    return date(year, 12, 28).isocalendar()[1]


def add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later (earlier when negative), clipped to the month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def iso_week_label(day: date) -> str:
    """'2011-W48': the ISO year and week of `day`."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_label(year: int, month: int) -> str:
    """'Nov 2011'."""
    return f"{calendar.month_abbr[month]} {year}"


def quarter_label(year: int, quarter: int) -> str:
    """'Q4 2011'."""
    return f"Q{quarter} {year}"
