"""Sales answers over time for one period: the overview (headline and derived metrics plus the metric by the
period's time grain) and trends by day, week, month or quarter.

Why partial buckets are marked here: a week or month the data (or the question's period) starts or ends
inside holds fewer days than the others, so the table carries a `partial` column, the chart draws those
points hollow with dashed segments, and a warning says which buckets they are; the direction of a trend is
read from the full buckets only.
"""

from __future__ import annotations

import pandas as pd

from ecomintel.agents.base import Table
from ecomintel.agents.charts import line_chart
from ecomintel.agents.numbers import fmt_metric, fmt_pct, metric_label, num, pct_change
from ecomintel.agents.sales_context import SalesContext, extreme_row
from ecomintel.agents.time_buckets import PeriodSpec, is_partial, time_grain_of

OVERVIEW_COLUMNS = ("revenue", "units", "orders", "customers", "aov", "gross", "returned_value",
                    "units_per_order", "asp", "avg_daily_revenue", "avg_daily_revenue_calendar", "trading_days",
                    "calendar_days", "cancelled_orders", "return_rate", "revenue_per_customer")
CALENDAR = ("day", "week", "month", "quarter")


def _slope(values: list[float]) -> float:
    n = len(values)
    if n < 2:
        return 0.0
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    num_ = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num_ / den if den else 0.0


def over_time(cx: SalesContext, dim: str, p: PeriodSpec) -> pd.DataFrame:
    """The metric by calendar bucket, sorted, with the `partial` flag of each bucket."""
    frame = cx.by(dim, p).sort_values("key").copy()
    covered = cx.covered(p)
    frame["partial"] = pd.Series([is_partial(dim, k, covered) for k in frame["key"]], index=frame.index,
                                dtype=bool)
    return frame


def time_table(cx: SalesContext, title: str, dim: str, frame: pd.DataFrame) -> tuple[Table, list[str]]:
    """[<dim>, <metric>, "partial", other metrics…] rows of a bucketed frame."""
    cols = cx.metric_table_columns(frame)
    rows = [[r.key, num(getattr(r, cols[0])), bool(r.partial), *[num(getattr(r, c)) for c in cols[1:]]]
            for r in frame.itertuples()]
    return Table(title, [dim, cols[0], "partial", *cols[1:]], rows), cols


def partial_warning(cx: SalesContext, dim: str, frame: pd.DataFrame, p: PeriodSpec) -> None:
    """A month/quarter/week only partly inside the data or the period is not comparable to the others."""
    keys = [str(k) for k in frame.loc[frame["partial"], "key"]] if not frame.empty else []
    if not keys:
        return
    lo, hi = cx.covered(p)
    cx.warn(f"Partial {dim}(s) {', '.join(keys)}: only {lo.isoformat()}..{hi.isoformat()} is covered, so those "
            "buckets are not comparable with full ones (marked partial in the table and hollow in the chart).")
    cx.define("partial")


def overview(cx: SalesContext) -> None:
    (p,) = cx.periods(1)
    cur = cx.single_period_totals(p, derived=True)
    cols = ["period", *OVERVIEW_COLUMNS]
    cx.result.tables.append(Table(f"Headline metrics, {p.text()}", cols,
                                  [[p.short(), *[num(cur[c]) for c in cols[1:]]]]))
    dim = time_grain_of(p)
    frame = over_time(cx, dim, p)
    table, _ = time_table(cx, f"{cx.mcol} by {dim}", dim, frame)
    cx.result.tables.append(table)
    cx.result.charts.append(line_chart(f"{cx.mcol} by {dim}, {p.text()}", frame["key"].tolist(),
                                       {cx.mcol: frame[cx.mcol].tolist()}, cx.mcol, frame["partial"].tolist()))
    partial_warning(cx, dim, frame, p)
    text = (f"{p.text()}: revenue {cx.money(cur['revenue'])}, {cur['units']:,.0f} units, "
            f"{cur['orders']:,.0f} orders from {cur['customers']:,.0f} customers, AOV {cx.money(cur['aov'])}; "
            f"{cur['units_per_order']:,.2f} units per order, average selling price {cx.money(cur['asp'])}, "
            f"{cx.money(cur['avg_daily_revenue'])} per trading day ({cur['trading_days']:,.0f} trading days; "
            f"{cx.money(cur['avg_daily_revenue_calendar'])} per calendar day over {cur['calendar_days']:,.0f} days), "
            f"{cur['cancelled_orders']:,.0f} cancelled orders, return rate {fmt_pct(cur['return_rate'], False)}, "
            f"revenue per customer {cx.money(cur['revenue_per_customer'])}.")
    if cx.mcol != "revenue" and cx.mcol in cur:  # the asked metric leads ("AOV in Oct 2011: £564.34. …")
        text = f"{metric_label(cx.mcol)} in {p.text()}: " \
               f"{fmt_metric(cx.mcol, cur[cx.mcol], cx.money)}. " + text
    cx.result.summary = text
    cx.define("units", "orders", "customers", "aov", "units_per_order", "asp", "avg_daily_revenue",
              "cancelled_orders", "return_rate", "revenue_per_customer")
    cx.evidence(cx.filt(p), cur)


def trend(cx: SalesContext) -> None:
    (p,) = cx.periods(1)
    dim = cx.group_by if cx.group_by in CALENDAR else time_grain_of(p)
    dim = str(dim)
    flt = cx.filt(p)
    cur = cx.single_period_totals(p)
    frame = over_time(cx, dim, p)
    title = f"{cx.mcol} by {dim}, {p.text()}"
    table, _ = time_table(cx, title, dim, frame)
    cx.result.tables.append(table)
    cx.result.charts.append(line_chart(title, frame["key"].tolist(), {cx.mcol: frame[cx.mcol].tolist()},
                                       cx.mcol, frame["partial"].tolist()))
    partial_warning(cx, dim, frame, p)
    m = cx.mcol
    if len(frame) >= 2:
        first, last = frame.iloc[0], frame.iloc[-1]
        peak = extreme_row(frame, m, highest=True)
        change = pct_change(float(last[m]), float(first[m]))
        cx.find(f"Peak {dim}: {peak['key']} with {fmt_metric(m, float(peak[m]), cx.money)}.")
        full = frame.loc[~frame["partial"]]
        basis = full if len(full) >= 2 else frame
        slope = _slope(basis[m].astype(float).tolist())
        direction = "rising" if slope > 0 else "falling" if slope < 0 else "flat"
        if len(basis) < len(frame):
            direction += " over the full " + dim + "s"
        cx.result.summary = (f"{title}: {len(frame)} {dim}s, {direction} overall; from "
                             f"{fmt_metric(m, float(first[m]), cx.money)} ({first['key']}) to "
                             f"{fmt_metric(m, float(last[m]), cx.money)} ({last['key']}"
                             f"{', partial' if bool(last['partial']) else ''}), {fmt_pct(change)}; peak {peak['key']}.")
    elif len(frame) == 1:
        cx.result.summary = (f"{title}: a single {dim} ({frame.iloc[0]['key']}) with "
                             f"{fmt_metric(m, float(frame.iloc[0][m]), cx.money)}.")
    else:
        cx.result.summary = f"No sales in {p.text()} with the filters given."
    cx.evidence(flt, cur)
