"""Sales answers that rank or split one period: top/bottom products, countries, customers or periods (best and
worst months, weeks, days, weekdays, hours), breakdowns with shares, the share of a part in its total, and
weekday/hour patterns.

Why rankings of periods are separate from rankings of groups: a period can be partial (the data starts or
ends inside it), so its table carries a `partial` column and "worst" leaves partial periods out unless the
plan says `include_partial` (docs/ask-contract.md, best / worst periods).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd

from ecomintel.agents.base import EvidenceRef, Table
from ecomintel.agents.charts import bar_chart, share_chart
from ecomintel.agents.numbers import fmt_metric, fmt_pct, num, share_pct
from ecomintel.agents.sales_context import ADDITIVE, SalesContext, extreme_row, plural, sales_filter
from ecomintel.agents.time_buckets import PeriodSpec, is_partial
from ecomintel.ask.plan import Filters
from ecomintel.db.sales_lines import TIME_DIMENSIONS, WEEKDAYS, SalesFilter

SHARE_METRICS = ("revenue", "units", "orders", "customers", "returned_units", "cancelled_orders")


def _share_column(cx: SalesContext, total: float) -> bool:
    return cx.mcol in ADDITIVE and total != 0


def ranking(cx: SalesContext) -> None:
    (p,) = cx.periods(1)
    dim = cx.dimension("product")
    if dim in TIME_DIMENSIONS:
        rank_periods(cx, p, dim)
        return
    flt = cx.filt(p)
    cur = cx.single_period_totals(p)
    frame = cx.by(dim, p)
    if dim == "sku":
        frame = cx.split_products(frame, "the product ranking", "revenue")
    elif dim == "customer":
        frame = cx.drop_no_customer(frame, p)
    frame = frame[frame["lines"] > 0]
    ascending = cx.intent == "bottom_items" or cx.order == "asc"
    if cx.mcol == "returned_units":
        frame = frame[frame["returned_units"] != 0]
    frame = cx.rank(frame, ascending).head(cx.top_n)
    if dim in ("sku", "customer"):
        frame = cx.add_details(frame, p, dim)
    if dim == "sku":
        frame = cx.with_names(frame)
    cols = cx.metric_table_columns(frame, dim)
    share = _share_column(cx, cur[cx.mcol])
    word = "Bottom" if ascending else "Top"
    title = f"{word} {len(frame)} {plural(dim)} by {cx.mcol}, {p.text()}"
    rows = []
    for r in frame.itertuples():
        row = [*cx.group_values(dim, r), *[num(getattr(r, c)) for c in cols]]
        if share:
            row.append(num(getattr(r, cx.mcol) / cur[cx.mcol] * 100))
        rows.append(row)
    cx.result.tables.append(Table(title, [*cx.group_columns(dim), *cols, *(["share_pct"] if share else [])], rows))
    labels = [cx.label_of(dim, r) for r in frame.itertuples()]
    cx.result.charts.append(bar_chart(title, labels, frame[cx.mcol].tolist(), cx.mcol,
                                      horizontal=dim in ("sku", "customer")))
    if not frame.empty:
        first = frame.iloc[0]
        name = f"{first['key']} {first.get('product', '')}".strip()
        what = {"sku": "product"}.get(dim, dim)
        text = f"{word} {what}: {name} with {fmt_metric(cx.mcol, float(first[cx.mcol]), cx.money)}"
        if share:
            text += (f"; the {len(frame)} shown account for "
                     f"{fmt_pct(float(frame[cx.mcol].sum()) / cur[cx.mcol] * 100, False)} of the total")
        cx.find(text + ".")
        cx.result.summary = f"{title}. {text}."
    else:
        cx.result.summary = f"No {dim} had sales in {p.text()} with the filters given."
    cx.evidence(flt, cur)


def rank_periods(cx: SalesContext, p: PeriodSpec, dim: str) -> None:
    """Best (or worst) days, weeks, months, quarters, weekdays or hours of the period by the metric; columns
    [<dim>, <metric>, "partial", …]. Worst-first rankings leave partial periods out unless include_partial."""
    flt = cx.filt(p)
    cur = cx.single_period_totals(p)
    frame = cx.by(dim, p)
    frame = frame[frame["lines"] > 0].copy()
    covered = cx.covered(p)
    frame["partial"] = pd.Series([is_partial(dim, k, covered) for k in frame["key"]], index=frame.index,
                                dtype=bool)
    worst = cx.intent == "bottom_items" or cx.order == "asc"
    left_out: list[str] = []
    if worst and not cx.plan.include_partial:
        left_out = [str(k) for k in frame.loc[frame["partial"], "key"]]
        frame = frame.loc[~frame["partial"]]
    # weekdays and hours are few: all of them, ranked (the answer is the first row, the rest is its context)
    frame = cx.rank(frame, worst)
    if dim not in ("weekday", "hour"):
        frame = frame.head(cx.top_n)
    cols = cx.metric_table_columns(frame, dim)
    share = _share_column(cx, cur[cx.mcol])
    word = "Worst" if worst else "Best"
    title = f"{word} {plural(dim)} by {cx.mcol}, {p.text()}"
    rows = [[num(r.key) if dim == "hour" else r.key, num(getattr(r, cx.mcol)), bool(r.partial),
             *[num(getattr(r, c)) for c in cols[1:]],
             *([num(getattr(r, cx.mcol) / cur[cx.mcol] * 100)] if share else [])]
            for r in frame.itertuples()]
    cx.result.tables.append(Table(title, [dim, cx.mcol, "partial", *cols[1:], *(["share_pct"] if share else [])],
                                  rows))
    cx.result.charts.append(bar_chart(title, frame["key"].tolist(), frame[cx.mcol].tolist(), cx.mcol))
    flagged = [str(k) for k in frame.loc[frame["partial"], "key"]]
    if left_out:
        cx.warn(f"Partial {plural(dim)} left out of the worst-first ranking: {', '.join(left_out)} (the data "
                f"or the period covers only {covered[0].isoformat()}..{covered[1].isoformat()}); ask for partial "
                "periods to include them.")
    if flagged:
        cx.warn(f"Partial {plural(dim)} in the ranking (flagged): {', '.join(flagged)}; only "
                f"{covered[0].isoformat()}..{covered[1].isoformat()} is covered, so they are not comparable "
                "with full ones.")
    if left_out or flagged:
        cx.define("partial")
    if dim == "weekday":
        _weekday_occurrences(cx, p)
    if frame.empty:
        cx.result.summary = f"No sales in {p.text()} with the filters given."
    else:
        first = frame.iloc[0]
        key = num(first["key"]) if dim == "hour" else first["key"]
        text = f"{word} {dim}: {key} with {fmt_metric(cx.mcol, float(first[cx.mcol]), cx.money)}"
        if bool(first["partial"]):
            text += " (a partial period)"
        cx.find(text + ".")
        cx.result.summary = f"{title}. {text}."
    cx.evidence(flt, cur)


def _weekday_occurrences(cx: SalesContext, p: PeriodSpec) -> None:
    """Weekdays that occur more often than others in the covered days make totals by weekday unequal."""
    lo, hi = cx.covered(p)
    if hi < lo:
        return
    counts = dict.fromkeys(WEEKDAYS, 0)
    for offset in range((hi - lo).days + 1):
        counts[WEEKDAYS[(lo + timedelta(days=offset)).weekday()]] += 1
    if len(set(counts.values())) > 1:
        cx.warn("Weekdays do not occur equally often in " + f"{lo.isoformat()}..{hi.isoformat()} ("
                + ", ".join(f"{d} {n}" for d, n in counts.items()) + "), so their totals are not fully comparable.")


def breakdown(cx: SalesContext) -> None:
    """Every group of an attribute dimension (country, channel, customer, …) with its share of the total.
    (Calendar, weekday/hour and product breakdowns are routed to the trend, pattern and ranking answers.)"""
    dim = cx.dimension("country")
    (p,) = cx.periods(1)
    flt = cx.filt(p)
    cur = cx.single_period_totals(p)
    frame = cx.by(dim, p)
    if dim == "customer":
        frame = cx.drop_no_customer(frame, p)
    frame = frame[frame["lines"] > 0].sort_values([cx.mcol, "key"], ascending=[cx.order == "asc", True])
    cols = cx.metric_table_columns(frame, dim)
    share = _share_column(cx, cur[cx.mcol])
    rows = [[r.key, *[num(getattr(r, c)) for c in cols],
             *([num(getattr(r, cx.mcol) / cur[cx.mcol] * 100)] if share else [])]
            for r in frame.head(200).itertuples()]
    title = f"{cx.mcol} by {dim}, {p.text()}"
    if cx.base.exclude_countries:
        ex = cx.repo.sales_totals(SalesFilter(p.start, p.end, countries=cx.base.exclude_countries))
        title += f" (excluding {', '.join(cx.base.exclude_countries)})"
        cx.warn(f"Excluded {', '.join(cx.base.exclude_countries)}: "
                f"{fmt_metric(cx.mcol, ex[cx.mcol], cx.money)} of {cx.mcol} in {p.text()} not shown.")
    if len(frame) > 200:
        cx.warn(f"{len(frame):,} {plural(dim)}: the table shows the first 200.")
    cx.result.tables.append(Table(title, [dim, *cols, *(["share_pct"] if share else [])], rows))
    cx.result.charts.append(bar_chart(title, frame["key"].head(30).tolist(), frame[cx.mcol].head(30).tolist(),
                                      cx.mcol))
    if not frame.empty:
        top = frame.iloc[0]
        text = f"{top['key']} leads with {fmt_metric(cx.mcol, float(top[cx.mcol]), cx.money)}"
        if share:
            text += f" ({fmt_pct(float(top[cx.mcol]) / cur[cx.mcol] * 100, False)} of the total)"
        cx.find(text + f"; {len(frame)} {dim} values in all.")
        cx.result.summary = (f"{title}: total {fmt_metric(cx.mcol, cur[cx.mcol], cx.money)} across "
                             f"{len(frame)} {dim} values; {text}.")
    else:
        cx.result.summary = f"No sales in {p.text()} with the filters given."
    cx.evidence(flt, cur)


def filters_label(filters: Filters, names: dict[str, str] | None = None) -> str:
    """The part a set of filters describes, in words ("United Kingdom", "outside United Kingdom",
    "85123A WHITE HANGING HEART T-LIGHT HOLDER")."""
    names = names or {}
    parts: list[str] = []
    parts += filters.countries
    parts += [f"outside {c}" for c in filters.exclude_countries]
    parts += [f"{s} {names.get(s, '')}".strip() for s in filters.skus]
    parts += [f"other than {s}" for s in filters.exclude_skus]
    parts += [f"products named like '{x}'" for x in filters.products]
    parts += [f"category {c}" for c in filters.categories]
    parts += [f"channel {c}" for c in filters.channels]
    parts += [f"marketplace {c}" for c in filters.marketplaces]
    parts += [f"customer {c}" for c in filters.customers]
    if filters.weekdays:
        parts.append("on " + ", ".join(f"{d}s" for d in filters.weekdays))
    return ", ".join(parts) or "all lines"


def share(cx: SalesContext) -> None:
    """The part (the plan's filters) as a share of the total (the same period and metric with
    `plan.total_filters`, or no filters): both numbers, never a filtered total reported as 100%."""
    (p,) = cx.periods(1)
    metric = cx.mcol
    if metric not in SHARE_METRICS:
        cx.warn(f"A share of {metric} (a ratio) is not meaningful; showing the share of revenue instead.")
        metric = "revenue"
        cx.confidence = min(cx.confidence, 0.7)
    total_filters = cx.plan.total_filters or Filters()
    part = cx.single_period_totals(p)
    total_flt = sales_filter(total_filters).with_period(p.start, p.end)
    key = ("share_total", p.start, p.end, total_flt)
    if key not in cx.memo:
        cx.memo[key] = cx.repo.sales_totals(total_flt)
    total: dict[str, float] = cx.memo[key]
    if total_flt == cx.filt(p):
        cx.warn("The part and the total have the same filters, so the share is 100% by construction; the question "
                "probably names the part differently.")
        cx.confidence = min(cx.confidence, 0.3)
    names = cx.repo.product_names(cx.plan.filters.skus) if cx.plan.filters.skus else {}
    part_label = filters_label(cx.plan.filters, names)
    total_label = "all lines" if total_filters.is_empty() else filters_label(total_filters, names)
    value, whole = float(part[metric]), float(total[metric])
    pct = share_pct(value, whole)
    mt = cx.result.metrics
    mt.update({"part": value, "total": whole, metric: value})
    if pct is not None:
        mt["share_pct"] = pct
    rows: list[list[Any]] = [[part_label, num(value), num(pct)]]
    if metric in ADDITIVE:  # only sums split into part + rest; distinct counts may overlap
        rows.append([f"rest of {total_label}", num(whole - value), num(share_pct(whole - value, whole))])
    rows.append([f"total ({total_label})", num(whole), 100.0 if whole else None])
    title = f"Share of {metric}: {part_label} in {total_label}, {p.text()}"
    cx.result.tables.append(Table(title, ["segment", metric, "share_pct"], rows))
    cx.result.charts.append(share_chart(title, part_label, value, whole))
    text = (f"{part_label}: {fmt_metric(metric, value, cx.money)} of {fmt_metric(metric, whole, cx.money)} "
            f"{metric} ({total_label}) in {p.text()} = {fmt_pct(pct, False)}")
    if metric in ADDITIVE:
        text += f"; the rest: {fmt_metric(metric, whole - value, cx.money)}"
    cx.result.summary = text + "."
    cx.find(cx.result.summary)
    cx.define("share")
    cx.evidence(cx.filt(p), part, "part")
    cx.result.evidence.append(EvidenceRef(source="sales", filters=total_flt.describe(), rows=int(total["lines"]),
                                          data_version=cx.data_version, note="total"))


def patterns(cx: SalesContext) -> None:
    (p,) = cx.periods(1)
    dim = cx.group_by if cx.group_by in ("weekday", "hour") else "weekday"
    flt = cx.filt(p)
    cur = cx.single_period_totals(p)
    frame = cx.by(dim, p)
    if dim == "weekday":
        order = {d: i for i, d in enumerate(WEEKDAYS)}
        frame = frame.assign(_o=frame["key"].map(order)).sort_values("_o")
        missing = [d for d in WEEKDAYS if d not in set(frame["key"])]
        if missing and p.days >= 7 and not cx.base.weekdays:
            cx.warn(f"No sales on {', '.join(missing)} in {p.text()}.")
    else:
        frame = frame.sort_values("key")
    cols = cx.metric_table_columns(frame)
    share = _share_column(cx, cur[cx.mcol])
    title = f"{cx.mcol} by {dim}, {p.text()}"
    cx.result.tables.append(Table(title, [dim, *cols, *(["share_pct"] if share else [])],
                                  [[num(r.key) if dim == "hour" else r.key, *[num(getattr(r, c)) for c in cols],
                                    *([num(getattr(r, cx.mcol) / cur[cx.mcol] * 100)] if share else [])]
                                   for r in frame.itertuples()]))
    cx.result.charts.append(bar_chart(title, frame["key"].tolist(), frame[cx.mcol].tolist(), cx.mcol))
    if not frame.empty:
        hi = extreme_row(frame, cx.mcol, highest=True)
        lo = extreme_row(frame, cx.mcol, highest=False)
        cx.result.summary = (f"{title}: busiest {dim} {num(hi['key'])} "
                             f"({fmt_metric(cx.mcol, float(hi[cx.mcol]), cx.money)}), quietest {num(lo['key'])} "
                             f"({fmt_metric(cx.mcol, float(lo[cx.mcol]), cx.money)}).")
        cx.find(cx.result.summary)
    else:
        cx.result.summary = f"No sales in {p.text()} with the filters given."
    cx.evidence(flt, cur)

