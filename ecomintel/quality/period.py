"""Data quality of one period: the period-sensitive sales checks, scoped to the dates a question names.

Why apart from run.py: the dataset scores are over all the data (the page, the CLI, the bench and the agent
agree on them); "any data problems in november?" needs the checks whose answer depends on the dates — gaps of
days the shop normally trades on, days of unusual revenue, future-dated lines, days on which the customer ids
dropped out, rows rejected by the imports that carry the period's lines — over that period only.
Why from the run's daily series and with its rules: the trading weekdays and the robust z of daily revenue are
learned from all the data, so a bad month cannot hide itself by being its own baseline, and a day flagged on
the Data Quality page is the day flagged here. No extra scan of the sales lines beyond the batch ids.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ecomintel.quality import checks as ck


@dataclass
class PeriodCheck:
    """One check over the period: whether it found a problem and one clause saying what it found."""

    check: str  # gap_days | daily_revenue_outliers | future_date | customer_id_dropout | rejected_rows | no_lines
    problem: bool
    text: str
    count: int
    unit: str = "rows"


@dataclass
class PeriodQuality:
    dataset: str
    start: date
    end: date
    lines: int
    days_with_sales: int
    checks: list[PeriodCheck] = field(default_factory=list)

    @property
    def problems(self) -> list[PeriodCheck]:
        return [c for c in self.checks if c.problem]

    def count(self, check: str) -> int:
        return sum(c.count for c in self.checks if c.check == check)


def sales_period_quality(daily: pd.DataFrame, start: date, end: date, *, today: date, batches: pd.DataFrame,
                         batch_ids: Collection[int]) -> PeriodQuality:
    """The period checks of sales over [start, end]. `daily`: the run's series (day 'YYYY-MM-DD', lines,
    revenue, no_customer, outlier); `batches`: the import history (Repository.quality_batches);
    `batch_ids`: the batches whose lines fall in the period (Repository.quality_period_batch_ids)."""
    day = pd.to_datetime(daily["day"]).dt.date
    inside = daily[((day >= start) & (day <= end)).to_numpy()]
    inside_days = pd.to_datetime(inside["day"]).dt.date
    lines = int(inside["lines"].sum())
    out = PeriodQuality("sales", start, end, lines, int((inside_days <= today).sum()))
    out.checks.append(_gaps(daily, start, end, today))
    if not lines:  # a period inside the data without any line: the gap says which trading days are missing
        out.checks.append(PeriodCheck("no_lines", True, "no sales lines at all in this period", 0, "lines"))
        return out
    flagged = inside[inside["outlier"].astype(bool).to_numpy()] if "outlier" in inside else inside.iloc[0:0]
    if len(flagged):
        listed = ", ".join(f"{d}: {v:,.0f}" for d, v in list(zip(flagged["day"], flagged["revenue"], strict=True))[:5])
        out.checks.append(PeriodCheck("daily_revenue_outliers", True, f"{ck.counted(len(flagged), 'day')} with unusual "
                                      f"revenue ({listed})", len(flagged), "days"))
    else:
        out.checks.append(PeriodCheck("daily_revenue_outliers", False, "no day of unusual revenue", 0, "days"))
    future = int(inside.loc[(inside_days > today).to_numpy(), "lines"].sum())
    out.checks.append(PeriodCheck("future_date", future > 0, f"{ck.counted(future, 'line')} dated in the future"
                                  if future else "no future-dated lines", future))
    spikes = ck.share_spikes(daily, "no_customer")
    spikes = spikes[spikes["day"].isin(set(inside["day"]))]
    share = float(inside["no_customer"].sum()) / lines
    overall = float(daily["no_customer"].sum()) / max(1, int(daily["lines"].sum()))
    if len(spikes):
        out.checks.append(PeriodCheck("customer_id_dropout", True, "customer ids missing on almost every line of "
                                      f"{ck.counted(len(spikes), 'day')} ({', '.join(list(spikes['day'])[:5])})",
                                      int(spikes["no_customer"].sum())))
    else:
        out.checks.append(PeriodCheck("customer_id_dropout", False, f"customer id missing on {share:.1%} of the "
                                      f"period's lines (all data: {overall:.1%})", int(inside["no_customer"].sum())))
    out.checks.append(_rejected(batches, batch_ids))
    return out


def _gaps(daily: pd.DataFrame, start: date, end: date, today: date) -> PeriodCheck:
    """Runs of missing trading days clipped to the period (trading weekdays learned from all the data)."""
    days = [d for d in ck.as_days(daily["day"]) if d <= today]  # a future-dated line is not a trading day
    if len(days) < 14:  # as the run's gap check: too short a series to know the usual trading days
        return PeriodCheck("gap_days", False, "too few days of sales to judge gaps", 0, "days")
    trading = ck.trading_weekdays(days)
    lo_all, hi_all = max(start, days[0]), min(end, days[-1])
    runs = ck.runs_within(ck.gap_runs(days, trading), lo_all, hi_all, trading)
    missing = sum(k for _a, _b, k in runs)
    if missing:
        return PeriodCheck("gap_days", True, f"{ck.counted(missing, 'trading day')} without any sales ({ck.span_list(runs)})",
                           missing, "days")
    return PeriodCheck("gap_days", False, "no trading day without sales", 0, "days")


def _rejected(batches: pd.DataFrame, batch_ids: Collection[int]) -> PeriodCheck:
    """Rejected rows of the sales imports that carry the period's lines (their whole files: a rejected row has no
    trusted date, so it cannot be placed in a period)."""
    ids = set(int(i) for i in batch_ids)
    if batches is None or batches.empty or not ids:
        return PeriodCheck("rejected_rows", False, "no import record for this period's lines", 0)
    own = batches[batches["batch_id"].isin(ids) & (batches["kind"] == "sales")]
    bad = own[own["rows_rejected"] > 0]
    n = int(bad["rows_rejected"].sum())
    files = f"{ck.counted(len(own), 'import')} carr{'ies' if len(own) == 1 else 'y'} the period's lines"
    if not n:
        return PeriodCheck("rejected_rows", False, f"no rows rejected ({files})", 0)
    listed = ", ".join(f"batch {int(b)} {f}: {int(r):,}" for b, f, r in
                       list(zip(bad["batch"], bad["file_name"], bad["rows_rejected"], strict=True))[:4])
    return PeriodCheck("rejected_rows", True, f"{ck.counted(n, 'row')} rejected at import in the files that carry "
                       f"this period's lines ({listed}; counted over the whole files)", n)
