"""The days a shop trades, read from its own sales: weekdays it never trades and public holidays it closes on.

Why from the data: the Online Retail shop never sells on Saturdays and closes on UK bank holidays; a model
that forecasts demand for those days is wrong by construction, and one that learns from the zeros
underestimates every other day. So series are modelled over trading days only, and closed days are
forecast as exactly 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# ISO 3166 codes of the country names the `holidays` package knows, for the shop's home market
COUNTRY_CODES = {
    "united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB", "germany": "DE",
    "france": "FR", "spain": "ES", "italy": "IT", "netherlands": "NL", "belgium": "BE", "ireland": "IE",
    "eire": "IE", "portugal": "PT", "austria": "AT", "switzerland": "CH", "sweden": "SE", "norway": "NO",
    "denmark": "DK", "finland": "FI", "poland": "PL", "usa": "US", "united states": "US", "canada": "CA",
    "australia": "AU", "japan": "JP", "india": "IN", "brazil": "BR",
}
NEVER_TRADES_SHARE = 0.05   # a weekday with sales on fewer than 5% of its dates is a closed weekday
MIN_WEEKS = 4               # ... once at least 4 of it have been seen
HOLIDAY_CLOSED_SHARE = 0.6  # closed on holidays when at least 60% of past (open-weekday) holidays had no sales


@dataclass(frozen=True)
class TradingCalendar:
    """Closed weekdays (0 = Monday) and closed dates (holidays the shop closes on, past closures)."""

    closed_weekdays: frozenset[int] = frozenset()
    closed_dates: frozenset[date] = frozenset()
    holidays: frozenset[date] = field(default_factory=frozenset)  # public holidays (a model feature)
    country_code: str | None = None

    def is_open(self, day: date) -> bool:
        return day.weekday() not in self.closed_weekdays and day not in self.closed_dates

    def open_days(self, start: date, end: date) -> list[date]:
        """Trading days in [start, end]."""
        out, day = [], start
        while day <= end:
            if self.is_open(day):
                out.append(day)
            day += timedelta(days=1)
        return out

    def describe(self) -> str:
        names = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
        parts = []
        if self.closed_weekdays:
            parts.append("never trades on " + ", ".join(names[d] for d in sorted(self.closed_weekdays)))
        holidays_closed = [d for d in self.closed_dates if d in self.holidays]
        if holidays_closed:
            parts.append(f"closes on public holidays ({self.country_code})")
        return "; ".join(parts) or "trades every day"


def holiday_dates(country_code: str | None, years: Iterable[int]) -> frozenset[date]:
    if not country_code:
        return frozenset()
    import holidays

    try:
        found = holidays.country_holidays(country_code, years=sorted(set(years)))
    except (KeyError, NotImplementedError):
        return frozenset()
    return frozenset(found.keys())


def country_code(country: str | None) -> str | None:
    return COUNTRY_CODES.get((country or "").strip().lower())


def learn_calendar(daily_total: pd.Series, country: str | None = None, future_days: int = 400) -> TradingCalendar:
    """The trading calendar from the shop's total units per day (index: dates of every day, zeros included).

    Closed weekdays: seen on ≥ MIN_WEEKS dates and traded on < NEVER_TRADES_SHARE of them. Closed dates: past
    days with no sales on an open weekday (closures, so models do not learn from them) and, when the shop
    closed on most past public holidays of its home market, every holiday up to `future_days` ahead."""
    import pandas as pd

    if daily_total.empty:
        return TradingCalendar()
    days = pd.DatetimeIndex(daily_total.index)
    traded = (daily_total.to_numpy() > 0)
    closed_weekdays = set()
    for weekday in range(7):
        on = days.dayofweek == weekday
        if on.sum() >= MIN_WEEKS and traded[on].mean() < NEVER_TRADES_SHARE:
            closed_weekdays.add(weekday)
    first, last = days.min().date(), days.max().date()
    code = country_code(country)
    hols = holiday_dates(code, range(first.year, last.year + 2 + future_days // 365))
    past_closed = {d.date() for d, t in zip(days, traded, strict=True)
                   if not t and d.dayofweek not in closed_weekdays}
    closed = set(past_closed)
    past_hols = [h for h in hols if first <= h <= last and h.weekday() not in closed_weekdays]
    if past_hols and sum(h in past_closed for h in past_hols) / len(past_hols) >= HOLIDAY_CLOSED_SHARE:
        closed |= {h for h in hols if h > last}
    return TradingCalendar(frozenset(closed_weekdays), frozenset(closed), hols, code)
