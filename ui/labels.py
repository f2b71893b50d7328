"""Human names and number formats for the report's metrics and table columns.

Why one table: reports carry machine names (`revenue_change_pct`, `returned_units`) so that answers can be
checked and exported; people read "Revenue change %". Every tile, column header and evidence row of the
Ask page takes its label and its decimals from here (money 2, counts 0, percentages 1, ratios 2), so the
same number never shows up with two spellings. Money is formatted by the agents' own `Money`
(`ecomintel.agents.numbers`), so the page and the summary sentence write amounts the same way.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from ecomintel.agents.numbers import CURRENCY_SYMBOLS, MONEY_METRICS, PERCENT_METRICS, Money

Kind = Literal["money", "count", "pct", "ratio", "key", "flag", "text"]

LABELS: dict[str, str] = {
    # metrics
    "revenue": "Revenue", "gross": "Gross revenue", "units": "Units", "orders": "Orders",
    "customers": "Customers", "aov": "Avg order value", "asp": "Avg selling price",
    "lines": "Sales lines", "returned_units": "Returned units", "returned_value": "Returned value",
    "return_lines": "Return lines", "cancelled_orders": "Cancelled orders", "return_rate": "Return rate %",
    "return_rate_pct": "Return rate %", "units_per_order": "Units per order",
    "avg_daily_revenue": "Avg daily revenue (trading days)",
    "avg_daily_revenue_calendar": "Avg daily revenue (calendar days)",
    "revenue_per_customer": "Revenue per customer", "trading_days": "Trading days",
    "calendar_days": "Calendar days", "share_pct": "Share %", "share_of_change_pct": "Share of change %",
    "part": "Part", "total": "Total", "new_customers": "New customers",
    "returning_customers": "Returning customers", "repeat_customers": "Repeat customers",
    "one_time_customers": "One-time customers", "repeat_rate": "Repeat rate %",
    "adjustment_lines": "Stock adjustment lines", "adjustment_units": "Stock adjustment units",
    "correction_lines": "Correction lines", "coverage": "Data coverage",
    "volume_effect": "Volume effect", "price_effect": "Price effect", "mix_effect": "Mix effect",
    "other_effect": "Other effect", "new_products": "New products",
    "discontinued_products": "Discontinued products",
    "total_change": "Total change", "month_1_retention": "Month-1 retention %",
    # dimensions and keys
    "sku": "SKU", "product": "Product", "country": "Country", "customer": "Customer", "day": "Day",
    "week": "Week", "week_start": "Week starting", "month": "Month", "quarter": "Quarter",
    "weekday": "Weekday", "hour": "Hour", "period": "Period", "cohort": "Cohort", "effect": "Effect",
    "category": "Category", "channel": "Channel", "marketplace": "Marketplace", "partial": "Partial",
    "metric": "Metric", "value": "Value", "segment": "Segment", "product_name": "Product",
    "definition": "Definition",
}

# Tiles are read alone, so the revenue tile says which revenue it is.
TILE_LABELS = {"revenue": "Revenue (net)"}

# The agents' own lists (so a metric they add as money is shown as money), plus what only tables carry.
MONEY = frozenset(MONEY_METRICS) - {"part", "total"} | {"volume_effect", "price_effect", "mix_effect",
                                                       "other_effect", "new_products", "discontinued_products",
                                                       "total_change"}
COUNTS = frozenset({"units", "orders", "customers", "lines", "returned_units", "return_lines",
                    "cancelled_orders", "new_customers", "returning_customers", "repeat_customers",
                    "one_time_customers", "adjustment_lines", "adjustment_units", "correction_lines",
                    "trading_days", "calendar_days"})
PERCENTS = frozenset(PERCENT_METRICS) | {"share_of_change_pct", "return_rate_pct", "month_1_retention"}
RATIOS = frozenset({"units_per_order"})
KEYS = frozenset({"sku", "product", "product_name", "segment", "country", "customer", "day", "week", "week_start",
                  "month", "quarter", "weekday", "hour", "period", "cohort", "effect", "category", "channel", "marketplace",
                  "metric"})
DECIMALS: dict[Kind, int] = {"money": 2, "count": 0, "pct": 1, "ratio": 2}
_COHORT_MONTH = re.compile(r"^month \d+$")


def base_metric(name: str) -> tuple[str, str]:
    """(`revenue`, `_change_pct`) for `revenue_change_pct`: the metric a derived column is about."""
    for suffix in ("_change_pct", "_change", "_previous"):
        if name.endswith(suffix) and name[: -len(suffix)] in LABELS:
            return name[: -len(suffix)], suffix
    return name, ""


def kind(name: str, *, share_of: str = "revenue") -> Kind:
    """How a metric or column is formatted. `share_of` is the plan's metric: a share's `part` and `total`
    are amounts of that metric (money for revenue, counts for units)."""
    base, suffix = base_metric(name)
    if suffix == "_change_pct" or base in PERCENTS or base.endswith("_pct") or _COHORT_MONTH.match(base):
        return "pct"
    if base in ("part", "total"):
        return kind(share_of)
    if base in MONEY:
        return "money"
    if base in COUNTS:
        return "count"
    if base in RATIOS:
        return "ratio"
    if base == "partial":
        return "flag"
    if base in KEYS:
        return "key"
    return "text"


def symbol(currency: str | None) -> str:
    """"£" for GBP; the code itself for a currency without a symbol; "" when unknown."""
    code = (currency or "").upper()
    return CURRENCY_SYMBOLS.get(code, code)


def label(name: str, *, currency: str | None = None, tile: bool = False, share_of: str = "revenue") -> str:
    """"Revenue change (£)" for `revenue_change` with currency GBP; tiles leave the currency to the value."""
    base, suffix = base_metric(name)
    if tile and not suffix and base in TILE_LABELS:
        return TILE_LABELS[base]
    if _COHORT_MONTH.match(base):
        return base.capitalize() + " %"
    text = LABELS.get(base) or base.replace("_", " ").strip().capitalize()
    if suffix == "_previous":
        text = f"Previous {text[0].lower()}{text[1:]}" if not text[:2].isupper() else f"Previous {text}"
    elif suffix == "_change":
        text = f"{text} change"
    elif suffix == "_change_pct":
        text = f"{text.removesuffix(' %')} change %"
    if tile:
        text = text.removesuffix(" %")
    sym = symbol(currency)
    if not tile and sym and kind(name, share_of=share_of) == "money":
        text = f"{text} ({sym})"
    return text


def value_label(value: Any) -> Any:
    """A key cell as people read it ("Price effect" for `price_effect`); other values unchanged."""
    return LABELS.get(value, value) if isinstance(value, str) and "_" in value else value


def fmt(name: str, value: Any, *, currency: str | None = None, signed: bool = False,
        share_of: str = "revenue") -> str:
    """One number the way the tile shows it: "£1,455,608.80", "2,884", "36.1%", "2.35"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "n/a" if value is None else str(value)
    k = kind(name, share_of=share_of)
    if k == "money":
        return Money(currency)(float(value), signed)
    sign = "+" if signed and value > 0 else ""
    if k == "pct":
        return f"{sign}{value:,.1f}%"
    decimals = DECIMALS.get(k, 0 if float(value).is_integer() else 2)
    return f"{sign}{value:,.{decimals}f}"


def confidence_words(confidence: float) -> str:
    """"High confidence (0.91)": a word people act on, and the number the bench calibrates."""
    word = "High" if confidence >= 0.75 else "Medium" if confidence >= 0.5 else "Low"
    return f"{word} confidence ({confidence:.2f})"
