"""The Home dashboard's numbers: the user's KPI tiles with the change against the period before, the revenue
trend, recent questions and the filters' choices — computed by the repository's aggregates.

Why "the period before" is the same length and ends where this one starts: a 28-day window compared with the
28 days before it is what people mean by "vs previous period", and it works for any date range picked.
Dates default to the last 28 days of the tenant's data (not the wall clock), like every relative period.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ecomintel.db.sales_lines import SalesFilter
from ecomintel.preferences import Preferences

if TYPE_CHECKING:
    import pandas as pd

    from ecomintel.db.repository import Repository

DEFAULT_DAYS = 28


@dataclass(frozen=True)
class Tile:
    metric: str
    value: float
    previous: float | None
    change_pct: float | None
    goal: float | None = None


def default_period(repo: Repository, days: int = DEFAULT_DAYS) -> tuple[date, date] | None:
    start, end = repo.sales_data_range()
    if end is None or start is None:
        return None
    return max(start, end - timedelta(days=days - 1)), end


def previous_period(start: date, end: date) -> tuple[date, date]:
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def change_pct(value: float, previous: float | None) -> float | None:
    if previous is None or previous == 0:
        return None
    return (value - previous) * 100.0 / abs(previous)


def kpi_tiles(repo: Repository, prefs: Preferences, start: date, end: date,
              countries: tuple[str, ...] = ()) -> list[Tile]:
    """One tile per KPI the user chose, this period vs the one before (same filters, marketplace focus)."""
    flt = SalesFilter(start=start, end=end, countries=countries, marketplaces=prefs.marketplaces)
    now = repo.sales_totals(flt)
    p_start, p_end = previous_period(start, end)
    first, _ = repo.sales_data_range()
    before = repo.sales_totals(replace(flt, start=p_start, end=p_end)) if first and p_end >= first else None
    days = (end - start).days + 1
    tiles = []
    for metric in prefs.home_kpis:
        value = float(now.get(metric, 0.0) or 0.0)
        prev = float(before.get(metric, 0.0) or 0.0) if before is not None else None
        goal = prefs.goals.get(metric)
        tiles.append(Tile(metric, value, prev, change_pct(value, prev),
                          goal * days / 30.44 if goal is not None and metric not in ("aov", "return_rate") else goal))
    return tiles


def revenue_trend(repo: Repository, start: date, end: date, countries: tuple[str, ...] = (),
                  marketplaces: tuple[str, ...] = ()) -> pd.DataFrame:
    """Net revenue per day (per week beyond 120 days): columns key (date), revenue, units."""
    flt = SalesFilter(start=start, end=end, countries=countries, marketplaces=marketplaces)
    grain = "day" if (end - start).days <= 120 else "week"
    frame = repo.sales_by(grain, flt, distinct=False)
    return frame.sort_values("key")[["key", "revenue", "units"]].reset_index(drop=True)


def countries(repo: Repository) -> list[str]:
    return sorted(str(c) for c in repo.vocabulary().countries)


def recent_questions(repo: Repository, limit: int = 8) -> list[dict[str, Any]]:
    return [{"question": r["question"], "asked": r["created_at"], "confidence": r["confidence"]}
            for r in repo.list_reports(limit=limit)]
