"""Sales answers about two periods: the comparison of headline and derived metrics, the decomposition of a
change (by product and country, and price vs volume for revenue) and the biggest risers and fallers.

Why the decomposition rows sum to the total change: for additive metrics the table ends with "other …" and
"non-product lines" rows, so an analyst can check that the drivers add up to the change they explain.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ecomintel.agents.base import ChartSpec, Table
from ecomintel.agents.charts import bar_chart, figure_json, waterfall
from ecomintel.agents.numbers import fmt_metric, fmt_pct, metric_label, num, pct_change
from ecomintel.agents.sales_context import ADDITIVE, DERIVED, HEADLINE, SalesContext, is_non_product_sku
from ecomintel.agents.time_buckets import PeriodSpec
from ecomintel.db.sales_lines import NO_CUSTOMER, TIME_DIMENSIONS


def compare(cx: SalesContext) -> None:
    cur_p, prev_p = cx.periods(2)
    cur, prev = cx.two_period_totals(cur_p, prev_p)
    dim = cx.group_by
    if dim and dim not in TIME_DIMENSIONS and dim != "customer":
        group_change_table(cx, cx.dimension("country"), cur_p, prev_p, cur, prev, primary=True)
    rows = []
    derived = [d for d in DERIVED if d in cur and d in prev]
    for k in (*HEADLINE, "gross", "returned_value", "returned_units", *derived):
        rows.append([k, num(cur[k]), num(prev[k]), num(cur[k] - prev[k]), num(pct_change(cur[k], prev[k]))])
    cx.result.tables.append(Table(f"{cur_p.text()} vs {prev_p.text()}",
                                  ["metric", "current", "previous", "change", "change_pct"], rows))
    fig = go.Figure(data=[go.Bar(name=prev_p.short(), x=list(HEADLINE[1:4]),
                                 y=[num(prev[k]) for k in HEADLINE[1:4]]),
                          go.Bar(name=cur_p.short(), x=list(HEADLINE[1:4]),
                                 y=[num(cur[k]) for k in HEADLINE[1:4]])])
    fig.update_layout(barmode="group", title="Units, orders, customers")
    rev = go.Figure(data=[go.Bar(x=[prev_p.short(), cur_p.short()],
                                 y=[num(prev["revenue"]), num(cur["revenue"])])])
    rev.update_layout(title="Revenue")
    cx.result.charts += [ChartSpec("Revenue", figure_json(rev)),
                         ChartSpec("Units, orders, customers", figure_json(fig))]
    m = cx.mcol
    if m not in cur:
        m = "revenue"
    cx.result.summary = (f"{metric_label(m)} {fmt_metric(m, cur[m], cx.money)} in {cur_p.text()} vs "
                         f"{fmt_metric(m, prev[m], cx.money)} in {prev_p.text()}: "
                         f"{fmt_metric(m, cur[m] - prev[m], cx.money, signed=True)} "
                         f"({fmt_pct(pct_change(cur[m], prev[m]))}).")
    for k in HEADLINE:
        if k != m:
            cx.find(f"{k}: {fmt_metric(k, cur[k], cx.money)} vs {fmt_metric(k, prev[k], cx.money)} "
                    f"({fmt_pct(pct_change(cur[k], prev[k]))}).")
    cx.evidence(cx.filt(cur_p), cur, "current period")
    cx.evidence(cx.filt(prev_p), prev, "comparison period")


def group_change_table(cx: SalesContext, dim: str, cur_p: PeriodSpec, prev_p: PeriodSpec, cur: dict[str, float],
                       prev: dict[str, float], primary: bool, metric: str | None = None,
                       limit: int | None = None) -> pd.DataFrame:
    """A table of `metric` by `dim` in both periods with change; for additive metrics the rows sum to
    the total change (top rows, then "other …" and, for products, "non-product lines")."""
    m = metric or cx.mcol
    a = cx.by(dim, cur_p, m not in ADDITIVE)[["key", m]].set_index("key")
    b = cx.by(dim, prev_p, m not in ADDITIVE)[["key", m]].set_index("key")
    both = a.join(b, how="outer", lsuffix="", rsuffix="_previous").fillna(0.0)
    both.columns = [m, f"{m}_previous"]
    both[f"{m}_change"] = both[m] - both[f"{m}_previous"]
    both = both.reset_index()
    total_change = cur[m] - prev[m]
    rest_rows: list[list[Any]] = []
    if dim == "sku":
        np_mask = both["key"].map(is_non_product_sku).astype(bool)
        nonprod = both[np_mask]
        both = both[~np_mask]
    else:
        nonprod = both.iloc[0:0]
    both = both.reindex(both[f"{m}_change"].abs().sort_values(ascending=False).index)
    n = limit or cx.top_n
    shown, other = both.head(n), both.iloc[n:]
    additive = m in ADDITIVE
    if dim == "sku":
        shown = cx.with_names(shown)
    cols = [*cx.group_columns(dim), m, f"{m}_previous", f"{m}_change", f"{m}_change_pct"]
    if additive:
        cols.append("share_of_change_pct")
    rows = []

    def share(x: float) -> list[Any]:
        return [num(x / total_change * 100) if total_change else None] if additive else []

    for r in shown.itertuples():
        c, pv = float(getattr(r, m)), float(getattr(r, f"{m}_previous"))
        rows.append([*cx.group_values(dim, r), num(c), num(pv), num(c - pv), num(pct_change(c, pv)),
                     *share(c - pv)])
    if additive:
        for label, part in ((f"(other {dim if dim != 'sku' else 'products'}: {len(other)})", other),
                            ("(non-product lines)", nonprod)):
            if part.empty:
                continue
            c, pv = float(part[m].sum()), float(part[f"{m}_previous"].sum())
            lead = [label, ""] if dim == "sku" else [label]
            rest_rows.append([*lead, num(c), num(pv), num(c - pv), num(pct_change(c, pv)), *share(c - pv)])
    title = f"{m} change by {'product' if dim == 'sku' else dim}: {cur_p.short()} vs {prev_p.short()}"
    table = Table(title, cols, rows + rest_rows)
    if primary:
        cx.result.tables.insert(0, table)
    else:
        cx.result.tables.append(table)
    labels = [cx.label_of(dim, r) for r in shown.itertuples()]
    cx.result.charts.append(bar_chart(title, labels, shown[f"{m}_change"].tolist(), f"{m}_change",
                                      horizontal=True))
    return shown


def why_change(cx: SalesContext) -> None:
    cur_p, prev_p = cx.periods(2)
    cur, prev = cx.two_period_totals(cur_p, prev_p)
    m = cx.mcol if cx.mcol in ADDITIVE else "revenue"
    if m != cx.mcol:
        cx.warn(f"{cx.mcol} is not additive across products, so the decomposition explains revenue; "
                f"{cx.mcol} changed {fmt_metric(cx.mcol, cur[cx.mcol] - prev[cx.mcol], cx.money, True)}"
                f" ({fmt_pct(pct_change(cur[cx.mcol], prev[cx.mcol]))}).")
    delta = cur[m] - prev[m]
    first = "country" if cx.group_by == "country" else "sku"
    second = "sku" if first == "country" else "country"
    top_a = group_change_table(cx, first, cur_p, prev_p, cur, prev, primary=False, metric=m)
    top_b = group_change_table(cx, second, cur_p, prev_p, cur, prev, primary=False, metric=m)
    by_product = top_a if first == "sku" else top_b
    by_country = top_b if first == "sku" else top_a
    effects = None
    if m == "revenue":
        effects = price_volume(cx, cur_p, prev_p, delta)
    parts = [f"{metric_label(m)} {'rose' if delta > 0 else 'fell' if delta < 0 else 'was flat'} "
             f"{fmt_metric(m, abs(delta), cx.money)} ({fmt_pct(pct_change(cur[m], prev[m]))}) from "
             f"{fmt_metric(m, prev[m], cx.money)} in {prev_p.text()} to {fmt_metric(m, cur[m], cx.money)} "
             f"in {cur_p.text()}."]
    if not by_product.empty:
        drivers = ", ".join(f"{r.key} {r.product} ({fmt_metric(m, getattr(r, m + '_change'), cx.money, True)})"
                            for r in by_product.head(3).itertuples())
        parts.append(f"Largest product contributions: {drivers}.")
        cx.find(f"Product drivers: {drivers}.")
    if not by_country.empty:
        drivers = ", ".join(f"{r.key} ({fmt_metric(m, getattr(r, m + '_change'), cx.money, True)})"
                            for r in by_country.head(3).itertuples())
        parts.append(f"By country: {drivers}.")
        cx.find(f"Country drivers: {drivers}.")
    if effects:
        parts.append(f"Volume effect {cx.money(effects['volume_effect'], True)}, price effect "
                     f"{cx.money(effects['price_effect'], True)}, new products "
                     f"{cx.money(effects['new_products'], True)}, discontinued "
                     f"{cx.money(effects['discontinued_products'], True)}.")
        cx.result.metrics.update(effects)
    cx.result.summary = " ".join(parts)
    cx.evidence(cx.filt(cur_p), cur, "current period")
    cx.evidence(cx.filt(prev_p), prev, "comparison period")


def price_volume(cx: SalesContext, cur_p: PeriodSpec, prev_p: PeriodSpec, delta: float) -> dict[str, float]:
    """Split the revenue change per SKU into volume ((u1-u0)·p0) and price ((p1-p0)·u1) effects, with new,
    discontinued and other (zero net units) SKUs as their own terms; the terms sum to the change."""
    a = cx.by("sku", cur_p, False)[["key", "revenue", "units"]].set_index("key")
    b = cx.by("sku", prev_p, False)[["key", "revenue", "units"]].set_index("key")
    j = a.join(b, how="outer", lsuffix="1", rsuffix="0")
    new = j["revenue0"].isna()
    lost = j["revenue1"].isna()
    j = j.fillna(0.0)
    core = ~new & ~lost & (j["units1"] != 0) & (j["units0"] != 0)
    c = j[core]
    p0, p1 = c["revenue0"] / c["units0"], c["revenue1"] / c["units1"]
    volume = float(((c["units1"] - c["units0"]) * p0).sum())
    price = float(((p1 - p0) * c["units1"]).sum())
    new_v = float(j.loc[new, "revenue1"].sum())
    lost_v = -float(j.loc[lost, "revenue0"].sum())
    other = float((j.loc[~new & ~lost & ~core, "revenue1"] - j.loc[~new & ~lost & ~core, "revenue0"]).sum())
    effects = {"volume_effect": volume, "price_effect": price, "new_products": new_v,
               "discontinued_products": lost_v, "other_effect": other}
    rows = [[k, num(v), num(v / delta * 100) if delta else None] for k, v in effects.items()]
    rows.append(["total_change", num(delta), 100.0 if delta else None])
    cx.result.tables.append(Table(f"Revenue change: price vs volume ({cur_p.short()} vs {prev_p.short()})",
                                  ["effect", "revenue_change", "share_of_change_pct"], rows))
    cx.result.charts.append(waterfall(effects, delta, cx.money))
    return effects


def movers(cx: SalesContext) -> None:
    cur_p, prev_p = cx.periods(2)
    cur, prev = cx.totals(cur_p), cx.totals(prev_p)
    for p, t in ((cur_p, cur), (prev_p, prev)):
        cx.check_coverage(p, t)
    cx.headline_metrics(cur, prev)
    dim = cx.dimension("product")
    if dim in TIME_DIMENSIONS:
        dim = "sku"
    m = cx.mcol
    a = cx.by(dim, cur_p, m not in ADDITIVE)[["key", m]].set_index("key")
    b = cx.by(dim, prev_p, m not in ADDITIVE)[["key", m]].set_index("key")
    j = a.join(b, how="outer", rsuffix="_previous").fillna(0.0).reset_index()
    j[f"{m}_change"] = j[m] - j[f"{m}_previous"]
    if dim == "sku":
        j = cx.split_products(j, "the movers", m)
    elif dim == "customer":
        j = j[j["key"] != NO_CUSTOMER]
    risers = j[j[f"{m}_change"] > 0].sort_values([f"{m}_change", "key"], ascending=[False, True]).head(cx.top_n)
    fallers = j[j[f"{m}_change"] < 0].sort_values([f"{m}_change", "key"]).head(cx.top_n)
    if dim == "sku":
        risers, fallers = cx.with_names(risers), cx.with_names(fallers)
    cols = [*cx.group_columns(dim), m, f"{m}_previous", f"{m}_change", f"{m}_change_pct"]
    what = "products" if dim == "sku" else dim
    span = f"{cur_p.short()} vs {prev_p.short()}"
    tables = []
    for word, frame in (("risers", risers), ("fallers", fallers)):
        rows = [[*cx.group_values(dim, r), num(getattr(r, m)), num(getattr(r, f"{m}_previous")),
                 num(getattr(r, f"{m}_change")), num(pct_change(getattr(r, m), getattr(r, f"{m}_previous")))]
                for r in frame.itertuples()]
        tables.append(Table(f"Biggest {word} ({what}, {m}), {span}", cols, rows))
    if cx.order == "asc":
        tables.reverse()
    cx.result.tables += tables
    both = pd.concat([risers, fallers])
    cx.result.charts.append(bar_chart(f"Biggest movers by {m} change, {span}",
                                      [cx.label_of(dim, r) for r in both.itertuples()],
                                      both[f"{m}_change"].tolist(), f"{m}_change", horizontal=True))
    parts = [f"Between {prev_p.text()} and {cur_p.text()}, {m} changed "
             f"{fmt_metric(m, cur[m] - prev[m], cx.money, True)} ({fmt_pct(pct_change(cur[m], prev[m]))})."]
    if not risers.empty:
        r0 = risers.iloc[0]
        parts.append(f"Biggest riser: {r0['key']} {r0.get('product', '')}".rstrip()
                     + f" ({fmt_metric(m, float(r0[m + '_change']), cx.money, True)}).")
    if not fallers.empty:
        f0 = fallers.iloc[0]
        parts.append(f"Biggest faller: {f0['key']} {f0.get('product', '')}".rstrip()
                     + f" ({fmt_metric(m, float(f0[m + '_change']), cx.money, True)}).")
    cx.result.summary = " ".join(parts)
    for text in parts[1:]:
        cx.find(text)
    cx.evidence(cx.filt(cur_p), cur, "current period")
    cx.evidence(cx.filt(prev_p), prev, "comparison period")
