"""How agents write numbers: JSON-safe rounding for tables, percent changes, money in the data's currency.

Why one module: every agent's tables, summaries and findings show the same numbers the same way (2 decimals,
integers stay integers, NaN becomes None so a report is valid JSON).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

CURRENCY_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "INR": "₹", "JPY": "¥"}
MONEY_METRICS = ("revenue", "aov", "gross", "returned_value", "asp", "avg_daily_revenue",
                 "avg_daily_revenue_calendar", "revenue_per_customer", "part", "total")
PERCENT_METRICS = ("return_rate", "share_pct", "repeat_rate")


METRIC_LABELS = {"aov": "AOV", "asp": "Average selling price", "units_per_order": "Units per order",
                 "avg_daily_revenue": "Average daily revenue", "cancelled_orders": "Cancelled orders",
                 "return_rate": "Return rate", "revenue_per_customer": "Revenue per customer",
                 "returned_units": "Returned units"}


def metric_label(metric: str) -> str:
    """How a metric is named at the start of a sentence ("asp" → "Average selling price")."""
    return METRIC_LABELS.get(metric, metric.replace("_", " ").capitalize())


def num(value: Any) -> Any:
    """Presentation rounding (2 decimals); integers stay integers; NaN/inf → None (JSON-safe)."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        f = float(value)
        if math.isnan(f) or math.isinf(f):
            return None
        return int(f) if f.is_integer() and abs(f) < 2**53 else round(f, 2)
    return value


def pct_change(current: float, previous: float) -> float | None:
    """Percent change; None when the previous value is zero (undefined)."""
    if previous == 0:
        return None
    return (current - previous) / abs(previous) * 100.0


def share_pct(part: float, total: float) -> float | None:
    """`part` as a percentage of `total`; None when the total is zero (undefined)."""
    return part / total * 100.0 if total else None


@dataclass(frozen=True)
class Money:
    """Formats amounts in the data's currency."""

    currency: str | None

    def __call__(self, value: float, signed: bool = False) -> str:
        sym = CURRENCY_SYMBOLS.get((self.currency or "").upper(), "")
        sign = "-" if value < 0 else ("+" if signed and value > 0 else "")
        body = f"{abs(value):,.2f}"
        if sym:
            return f"{sign}{sym}{body}"
        return f"{sign}{body}" + (f" {self.currency}" if self.currency else "")


def fmt_metric(metric: str, value: float, money: Money, signed: bool = False) -> str:
    if metric in MONEY_METRICS:
        return money(value, signed)
    if metric in PERCENT_METRICS:
        return fmt_pct(value, signed)
    sign = "+" if signed and value > 0 else ""
    return f"{sign}{value:,.0f}" if float(value).is_integer() else f"{sign}{value:,.2f}"


def fmt_pct(value: float | None, signed: bool = True) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.1f}%" if signed else f"{value:.1f}%"


def fmt_units(value: float) -> str:
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
