"""Periods as agents use them: a resolved period, the period before it, the time grain of a chart, and which
day/week/month/quarter buckets are only partly covered by the data. Calendar arithmetic and the one
time-grain rule come from ecomintel.dates.

Why partial buckets matter: a week the data starts or ends inside is not comparable with full weeks, so
trends mark it and "worst week" leaves it out unless the question asks for partial periods
(docs/ask-contract.md, best / worst periods). Day buckets are never partial (the data's first and last day
count as whole days); weekday and hour buckets gather many days and are not partial either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ecomintel.ask.plan import Period
from ecomintel.dates import (
    iso_week_label,
    month_end,
    month_span,
    quarter_of,
    quarter_span,
    time_grain,
    week_span,
)
from ecomintel.db.sales_lines import WEEKDAYS


@dataclass(frozen=True)
class PeriodSpec:
    start: date
    end: date
    label: str

    @classmethod
    def of(cls, period: Period) -> PeriodSpec:
        return cls(period.start, period.end, period.label)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def text(self) -> str:
        span = f"{self.start.isoformat()}..{self.end.isoformat()}"
        return f"{self.label} = {span}" if self.label and self.label != span else span

    def short(self) -> str:
        return self.label or self.text()

    def to_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label}


def previous_period(p: PeriodSpec) -> PeriodSpec:
    """The period just before `p`: the previous calendar month/quarter when `p` is one, else the same number
    of days immediately before."""
    if p.start.day == 1 and p.end == month_end(p.end):
        months = (p.end.year - p.start.year) * 12 + p.end.month - p.start.month + 1
        if months in (1, 3):
            m0 = p.start.month - months
            y0 = p.start.year + (m0 - 1) // 12
            m0 = (m0 - 1) % 12 + 1
            start = date(y0, m0, 1)
            end = p.start - timedelta(days=1)
            label = start.strftime("%b %Y") if months == 1 else f"Q{(m0 - 1) // 3 + 1} {y0}"
            return PeriodSpec(start, end, label)
    end = p.start - timedelta(days=1)
    start = end - timedelta(days=p.days - 1)
    return PeriodSpec(start, end, f"previous {p.days} days")


def time_grain_of(p: PeriodSpec) -> str:
    """The one time-grain rule (ecomintel.dates.time_grain) for a period."""
    return time_grain(p.start, p.end)


def bucket_bounds(dim: str, key: object) -> tuple[date, date] | None:
    """First and last day of a bucket key ("2011-11-05", "2011-W48", "2011-11", "2011-Q4"); None for weekday
    and hour keys (not calendar spans)."""
    text = str(key)
    if dim == "day":
        d = date.fromisoformat(text[:10])
        return d, d
    if dim == "week":
        year, week = text.split("-W")
        return week_span(int(year), int(week))
    if dim == "month":
        return month_span(int(text[:4]), int(text[5:7]))
    if dim == "quarter":
        return quarter_span(int(text[:4]), int(text[-1]))
    return None


def is_partial(dim: str, key: object, covered: tuple[date, date]) -> bool:
    """Whether the bucket reaches outside the covered days (data ∩ the question's period)."""
    bounds = bucket_bounds(dim, key)
    if bounds is None:
        return False
    return bounds[0] < covered[0] or bounds[1] > covered[1]


def bucket_key(dim: str, d: date) -> str | None:
    """The key of the bucket of `dim` that contains day `d` (None for hour)."""
    if dim == "day":
        return d.isoformat()
    if dim == "week":
        return iso_week_label(d)
    if dim == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if dim == "quarter":
        return f"{d.year:04d}-Q{quarter_of(d)}"
    if dim == "weekday":
        return WEEKDAYS[d.weekday()]
    return None
