"""The customers agent: new vs returning customers per period, repeat customers and the repeat rate, and
first-purchase-month cohorts with their retention heatmap (docs/ask-contract.md, Customers).

Why its own agent: these answers are not sums over the period's lines but depend on each customer's whole
history (a first purchase before the period makes a customer returning), so they read their own aggregates
(db/customer_queries.py). Rankings of customers ("top customers", "customers of a product") are sales
rankings with group_by="customer" and live in the sales agent. Customer ids only; there is no personal data.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import plotly.graph_objects as go

from ecomintel.agents.base import AgentResult, ChartSpec, Table
from ecomintel.agents.charts import MARGIN, bar_chart, figure_json, heatmap
from ecomintel.agents.numbers import fmt_pct, num, share_pct
from ecomintel.agents.sales_context import SalesContext
from ecomintel.agents.time_buckets import PeriodSpec, bucket_key, is_partial, month_end, time_grain_of
from ecomintel.ask.plan import Plan
from ecomintel.context import RequestContext
from ecomintel.db.repository import Repository

GRAINS = ("day", "week", "month", "quarter")


def _first_month_note(cx: SalesContext, p: PeriodSpec) -> None:
    """Customers of the data's first month have no earlier history, so all of them count as new."""
    assert cx.data_start is not None
    lo, hi = cx.covered(p)
    first_month = bucket_key("month", cx.data_start)
    if lo <= hi and bucket_key("month", lo) == first_month:
        cx.warn(f"Customers in the data's first month ({first_month}) are all new: the data has no earlier "
                "history to tell returning customers apart.")


def new_returning(cx: SalesContext) -> None:
    (p,) = cx.periods(1)
    flt = cx.filt(p)
    totals = cx.totals(p)
    cx.check_coverage(p, totals)
    grain = str(cx.group_by) if cx.group_by in GRAINS else time_grain_of(p)
    frame, whole = cx.repo.new_returning(grain, flt)
    cx.result.metrics.update({k: float(v) for k, v in whole.items()})
    covered = cx.covered(p)
    partial = [is_partial(grain, k, covered) for k in frame["key"]]
    title = f"New and returning customers by {grain}, {p.text()}"
    cx.result.tables.append(Table(title, ["period", "new_customers", "returning_customers", "customers",
                                          "partial"],
                                  [[str(k), int(n), int(r), int(c), flag] for k, n, r, c, flag in zip(
                                      frame["key"], frame["new_customers"], frame["returning_customers"],
                                      frame["customers"], partial, strict=True)]))
    fig = go.Figure(data=[go.Bar(name="new", x=frame["key"].tolist(), y=frame["new_customers"].tolist()),
                          go.Bar(name="returning", x=frame["key"].tolist(),
                                 y=frame["returning_customers"].tolist())])
    fig.update_layout(barmode="stack", title=title, margin=MARGIN, yaxis_title="customers")
    cx.result.charts.append(ChartSpec(title, figure_json(fig)))
    flagged = [str(k) for k, f in zip(frame["key"], partial, strict=True) if f]
    if flagged:
        cx.warn(f"Partial {grain}(s) {', '.join(flagged)}: only {covered[0].isoformat()}..{covered[1].isoformat()} "
                "is covered.")
        cx.define("partial")
    _first_month_note(cx, p)
    customers, new = whole["customers"], whole["new_customers"]
    cx.result.summary = (f"{p.text()}: {customers:,} customers bought; {new:,} new (first purchase in the period, "
                         f"{fmt_pct(share_pct(new, customers), False)}) and {whole['returning_customers']:,} "
                         "returning (bought before).")
    if len(frame) > 1:
        best = frame.sort_values(["new_customers", "key"], ascending=[False, True]).iloc[0]
        cx.find(f"Most new customers: {best['key']} ({best['new_customers']:,}).")
    cx.define("customers", "new_customers")
    cx.evidence(flt, totals)


def repeat(cx: SalesContext) -> None:
    (p,) = cx.periods(1)
    flt = cx.filt(p)
    totals = cx.totals(p)
    cx.check_coverage(p, totals)
    dist = cx.repo.orders_per_customer(flt)
    customers = int(dist["customers"].sum())
    repeaters = int(dist.loc[dist["orders"] >= 2, "customers"].sum())
    rate = share_pct(repeaters, customers)
    cx.result.metrics.update({"customers": float(customers), "repeat_customers": float(repeaters),
                              "one_time_customers": float(customers - repeaters),
                              "repeat_rate": rate if rate is not None else 0.0})
    cx.result.tables.append(Table(f"Repeat customers, {p.text()}",
                                  ["period", "customers", "repeat_customers", "one_time_customers", "repeat_rate"],
                                  [[p.short(), customers, repeaters, customers - repeaters, num(rate)]]))
    buckets = [(str(n), dist.loc[dist["orders"] == n, "customers"].sum()) for n in range(1, 10)]
    buckets.append(("10+", dist.loc[dist["orders"] >= 10, "customers"].sum()))
    rows = [[label, int(n), num(share_pct(float(n), customers))] for label, n in buckets if n]
    title = f"Customers by number of orders, {p.text()}"
    cx.result.tables.append(Table(title, ["orders", "customers", "share_pct"], rows))
    cx.result.charts.append(bar_chart(title, [r[0] for r in rows], [r[1] for r in rows], "customers"))
    cx.result.summary = (f"{p.text()}: {repeaters:,} of {customers:,} customers placed 2 or more orders "
                         f"(repeat rate {fmt_pct(rate, False)}); {customers - repeaters:,} ordered once.")
    if p.days < 28:
        cx.warn(f"{p.text()} is short ({p.days} days): few customers order twice in so little time, so the repeat "
                "rate is low by construction.")
    cx.define("customers", "repeat_customers", "orders")
    cx.evidence(flt, totals)


def _month_index(key: str) -> int:
    return int(key[:4]) * 12 + int(key[5:7]) - 1


def cohorts(cx: SalesContext) -> None:
    (p,) = cx.periods(1)
    flt = cx.filt(p)
    totals = cx.totals(p)
    cx.check_coverage(p, totals)
    activity = cx.repo.cohort_activity(flt)
    _, hi = cx.covered(p)
    last = _month_index(bucket_key("month", hi) or "0000-01")
    sizes: dict[str, int] = {}
    counts: dict[tuple[str, int], int] = {}
    for cohort, month, n in zip(activity["cohort"].astype(str), activity["month"].astype(str),
                                activity["customers"].astype(int), strict=True):
        offset = _month_index(month) - _month_index(cohort)
        counts[(cohort, offset)] = int(n)
        if offset == 0:
            sizes[cohort] = int(n)
    names = sorted(sizes)
    span = max((last - _month_index(c) for c in names), default=-1) + 1
    columns = [f"month {k}" for k in range(span)]
    rows, cells = [], []
    for c in names:
        observed = last - _month_index(c)
        values = [share_pct(counts.get((c, k), 0), sizes[c]) if k <= observed else None for k in range(span)]
        cells.append(values)
        rows.append([c, sizes[c], *[num(v) for v in values]])
    title = f"Customer cohorts by first-purchase month: % who bought again, {p.text()}"
    cx.result.tables.append(Table(title, ["cohort", "customers", *columns], rows))
    if rows:
        cx.result.charts.append(heatmap(title, names, columns, cells))
    observed_1 = [c for c in names if last - _month_index(c) >= 1]
    base = sum(sizes[c] for c in observed_1)
    again = sum(counts.get((c, 1), 0) for c in observed_1)
    mt = cx.result.metrics
    mt.update({"cohorts": float(len(names)), "customers": float(sum(sizes.values()))})
    if base:
        mt["month_1_retention"] = again / base * 100
    if names and hi != month_end(hi):
        cx.warn(f"The last month ({bucket_key('month', hi)}) is covered only up to {hi.isoformat()}, so its "
                "column understates retention.")
    if names:
        _first_month_note(cx, p)
        summary = (f"{len(names)} monthly cohorts ({names[0]}..{names[-1]}), {sum(sizes.values()):,} customers")
        if base:
            summary += f"; on average {fmt_pct(again / base * 100, False)} bought again the month after their first"
        cx.result.summary = summary + "."
    else:
        cx.result.summary = f"No customers with a first purchase in {p.text()} with the filters given."
    cx.define("cohorts", "customers")
    cx.evidence(flt, totals)


HANDLERS: dict[str, Callable[[SalesContext], None]] = {
    "new_returning": new_returning, "repeat": repeat, "cohorts": cohorts,
}


class CustomersAgent:
    """Answers questions about customers over time: new vs returning, repeat rate, cohorts."""

    name = "customers"
    description = "Customers (ids only): new vs returning per period, repeat customers and repeat rate, " \
                  "first-purchase-month cohort retention with a heatmap."

    def run(self, ctx: RequestContext, repo: Repository, plan: Plan) -> AgentResult:
        started = time.perf_counter()
        cx = SalesContext(self.name, repo, plan)
        if cx.data_start is None or cx.data_end is None:
            cx.result.status = "partial"
            cx.result.summary = "No sales data is loaded for this workspace yet, so there are no customers."
            cx.warn("No sales data loaded: upload a sales file or load the sample data first.")
            cx.result.confidence = 0.0
            return cx.result
        cx.data_version = repo.data_version()
        handler = HANDLERS.get(plan.intent)
        if handler is None:
            cx.warn(f"Intent {plan.intent!r} is not a customer analysis; showing new and returning customers.")
            cx.confidence = min(cx.confidence, 0.5)
            handler = new_returning
        handler(cx)
        cx.result.confidence = round(max(0.0, min(1.0, cx.confidence)), 3)
        cx.result.elapsed_ms = int((time.perf_counter() - started) * 1000)
        return cx.result
