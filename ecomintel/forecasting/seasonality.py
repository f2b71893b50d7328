"""Seasonality and trend of a daily demand series: weekly and yearly strength, peak weekdays and months.

Strength follows Hyndman & Athanasopoulos (FPP3, "STL features"): 1 − Var(remainder) / Var(season +
remainder), 0 = no pattern, 1 = the pattern explains all variation around the trend. Why a plain
decomposition (7-day centred mean as trend, weekday means of the detrended series as season) rather than
STL: it is exact enough to say "Thursdays are the busiest day, and the week explains 40% of the variation",
costs nothing, and works on the trading days of a shop that closes on Saturdays. A yearly strength needs two
years of history (with one, the year's shape cannot be told apart from trend); with less the answer says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
YEARLY_MIN_DAYS = 730


@dataclass
class Seasonality:
    weekly_strength: float | None
    yearly_strength: float | None
    weekday_index: dict[str, float]  # mean units per open weekday / overall mean (1 = average)
    month_per_day: dict[str, float]  # mean units per calendar day, per month of the history ("2011-11": 123.4)
    peak_weekdays: list[str]
    peak_months: list[str]
    trend_pct_per_week: float | None  # slope of the last 12 weeks' weekly totals, % of their mean per week
    recent_change_pct: float | None   # last 28 days vs the 28 before, %
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def _strength(remainder: Any, season: Any) -> float | None:
    import numpy as np

    total = np.var(season + remainder)
    if not np.isfinite(total) or total <= 0:
        return None
    return float(max(0.0, 1.0 - np.var(remainder) / total))


def seasonality(daily: pd.Series, closed_weekdays: frozenset[int] = frozenset()) -> Seasonality:
    """`daily`: units per calendar day (DatetimeIndex, zeros included) of one series."""
    import numpy as np
    import pandas as pd

    notes: list[str] = []
    s = daily.astype(float).sort_index()
    open_mask = ~pd.DatetimeIndex(s.index).dayofweek.isin(list(closed_weekdays))
    y = s[open_mask]
    weekly = None
    index: dict[str, float] = {}
    if len(y) >= 21:
        trend = y.rolling(7, center=True, min_periods=4).mean()
        detr = y - trend
        dow = pd.DatetimeIndex(y.index).dayofweek
        season = detr.groupby(dow).transform("mean")
        rem = detr - season
        ok = rem.notna() & season.notna()
        weekly = _strength(rem[ok].to_numpy(), season[ok].to_numpy())
        mean = y.mean()
        if mean > 0:
            per = y.groupby(dow).mean() / mean
            index = {WEEKDAYS[int(d)]: round(float(v), 3) for d, v in zip(per.index.tolist(), per.tolist(), strict=True)}
    else:
        notes.append("Fewer than 3 weeks of history: no weekly pattern measured.")
    yearly = None
    months = s.groupby(pd.DatetimeIndex(s.index).to_period("M")).mean()
    month_per_day = {str(p): round(float(v), 2) for p, v in months.items()}
    if len(s) >= YEARLY_MIN_DAYS:
        m = pd.DatetimeIndex(s.index).month
        monthly = s.resample("MS").mean()
        trend_m = monthly.rolling(12, center=True, min_periods=6).mean()
        detr_m = monthly - trend_m
        season_m = detr_m.groupby(pd.DatetimeIndex(monthly.index).month).transform("mean")
        rem_m = detr_m - season_m
        ok = rem_m.notna() & season_m.notna()
        yearly = _strength(rem_m[ok].to_numpy(), season_m[ok].to_numpy()) if ok.sum() >= 12 else None
        by_month = s.groupby(m).mean()
        peak_months = [MONTHS[int(i) - 1] for i in by_month.sort_values(ascending=False).index[:3]]
    else:
        notes.append(f"{len(s)} days of history: a yearly pattern needs two years, so it is not separated from the "
                     "trend; peak months are the busiest months seen.")
        peak_months = [pd.Period(p).strftime("%B %Y") for p in months.sort_values(ascending=False).index[:3]]
    peak_weekdays = [d for d, _ in sorted(index.items(), key=lambda kv: -kv[1])[:2]]
    weeks = s.resample("W-SUN").sum()
    weeks = weeks.iloc[1:-1] if len(weeks) > 3 else weeks  # the partial first and last weeks
    trend_pct = None
    last = weeks.iloc[-12:]
    if len(last) >= 4 and last.mean() > 0:
        slope = np.polyfit(np.arange(len(last)), last.to_numpy(), 1)[0]
        trend_pct = round(float(100 * slope / last.mean()), 2)
    change = None
    if len(s) >= 56 and s.iloc[-56:-28].sum() > 0:
        change = round(float(100 * (s.iloc[-28:].sum() / s.iloc[-56:-28].sum() - 1)), 1)
    return Seasonality(None if weekly is None else round(weekly, 3), None if yearly is None else round(yearly, 3),
                       index, month_per_day, peak_weekdays, peak_months, trend_pct, change, notes)
