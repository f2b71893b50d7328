"""Sales answer about returns and cancellations: what was returned most (units and value) by product,
country or period, the return rate, the cancelled orders, and the stock adjustments stated apart.

Why adjustments are apart: a negative zero-price line without a customer ("damaged", "unsaleable") is a
write-off, not a customer returning goods; counting it as a return would inflate returns and the return rate
(docs/ask-contract.md, line classes).
"""

from __future__ import annotations

from ecomintel.agents.base import Table
from ecomintel.agents.charts import bar_chart
from ecomintel.agents.numbers import fmt_pct, fmt_units, num
from ecomintel.agents.sales_context import SalesContext, plural
from ecomintel.db.sales_lines import NO_CUSTOMER, TIME_DIMENSIONS


def returns(cx: SalesContext) -> None:
    (p,) = cx.periods(1)
    flt = cx.filt(p)
    cur = cx.totals(p)
    cx.check_coverage(p, cur)
    cx.line_class_note(p, cur)
    cx.headline_metrics(cur)
    mt = cx.result.metrics
    mt["return_lines"] = cur["return_lines"]
    mt["cancelled_orders"] = cur["cancelled_orders"]
    mt["return_rate"] = cur["return_rate"]
    mt["return_rate_pct"] = cur["return_rate"]  # the name this answer used before return_rate existed
    dim = cx.dimension("product")
    everything = cx.by(dim, p, False, details=True)
    if dim == "customer":
        everything = everything[everything["key"] != NO_CUSTOMER]
    frame = everything[everything["return_lines"] > 0]
    if dim == "sku":
        frame = cx.split_products(frame, "the returns ranking", "returned_value")
    if dim not in TIME_DIMENSIONS:
        tables = [(col, frame.sort_values([col, "key"], ascending=[False, True]).head(cx.top_n))
                  for col in ("returned_units", "returned_value")]
    else:
        tables = [("returned_units", frame.sort_values("key"))]
    cols = ["returned_units", "returned_value", "return_lines", "return_rate_pct"]
    for sort_col, part in tables:
        if dim == "sku":
            part = cx.with_names(part)
        rates = (part["returned_value"] / part["gross"].where(part["gross"] > 0) * 100).tolist()
        rows = [[*cx.group_values(dim, r), num(r.returned_units), num(r.returned_value),
                 num(r.return_lines), num(rate)] for r, rate in zip(part.itertuples(), rates, strict=True)]
        title = f"Most returned {plural(dim)} by {sort_col}, {p.text()}"
        cx.result.tables.append(Table(title, [*cx.group_columns(dim), *cols], rows))
        cx.result.charts.append(bar_chart(title, [cx.label_of(dim, r) for r in part.itertuples()],
                                          part[sort_col].tolist(), sort_col, horizontal=dim == "sku"))
        if sort_col == "returned_units":
            frame = part
    if cur["adjustment_lines"] and dim not in TIME_DIMENSIONS:
        adjusted = everything[everything["adjustment_lines"] > 0]
        adjusted = adjusted.sort_values(["adjustment_units", "key"], ascending=[False, True]).head(cx.top_n)
        if dim == "sku":
            adjusted = cx.with_names(adjusted)
        cx.result.tables.append(Table(
            f"Stock adjustments (not returns) by {dim if dim != 'sku' else 'product'}, {p.text()}",
            [*cx.group_columns(dim), "adjustment_units", "adjustment_lines"],
            [[*cx.group_values(dim, r), num(r.adjustment_units), num(r.adjustment_lines)]
             for r in adjusted.itertuples()]))
    text = (f"{p.text()}: {cur['return_lines']:,.0f} return/cancellation lines in {cur['cancelled_orders']:,.0f} "
            f"cancelled orders, {cur['returned_units']:,.0f} units, {cx.money(cur['returned_value'])} "
            f"({fmt_pct(cur['return_rate'], False)} of gross sales).")
    if not frame.empty:
        top = frame.iloc[0]
        text += (f" Most returned: {top['key']} {top.get('product', '')}".rstrip()
                 + f" ({fmt_units(float(top['returned_units']))} units, {cx.money(float(top['returned_value']))}).")
    if cur["adjustment_lines"]:
        text += (f" Stock adjustments: {cur['adjustment_lines']:,.0f} lines, {fmt_units(cur['adjustment_units'])} "
                 "units (write-offs, not returns).")
    cx.result.summary = text
    cx.find(text)
    cx.define("returns", "cancelled_orders", "return_rate")
    cx.evidence(flt, cur)
