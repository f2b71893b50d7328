"""Price recommendations: a target from the market and (where credible) from elasticity, then the one rule
every suggested price obeys — `clamp_price` — plus the expected revenue and margin effect.

Why one small pure function for the rule: "never below the margin floor, never more than the max step" is
the promise an analyst relies on before accepting a price, so it lives in one place that a property test
(tests/test_pricing_rules.py) hammers with random costs, prices and competitor sets. When the floor lies
more than one step above the current price, both promises cannot hold at once: no price is suggested and
the reason says so (raise in steps or check the cost), instead of breaking one of them silently.
Without a cost the floor cannot be checked: the price still moves at most one step, and the reason says
the floor was not checked — a floor is never invented.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

EPS = 1e-9


@dataclass(frozen=True)
class Clamped:
    """The suggested price (None: withheld) and which bound decided it: target | step | floor | blocked."""

    price: float | None
    bound: str


def margin_floor(cost: float | None, min_margin: float) -> float | None:
    """The lowest price that keeps (price − cost) / price ≥ min_margin; None without a usable cost."""
    if cost is None or not math.isfinite(cost) or cost <= 0:
        return None
    return cost / (1.0 - min(max(min_margin, 0.0), 0.95))


def clamp_price(target: float, current: float, cost: float | None, *, min_margin: float, max_step: float) -> Clamped:
    """`target` moved into [current × (1 − max_step), current × (1 + max_step)] and never below the margin
    floor. Prices are rounded to cents inside the bounds. Returns price None ('blocked') when the floor is
    above the highest price one step allows."""
    lo, hi = current * (1.0 - max_step), current * (1.0 + max_step)
    floor = margin_floor(cost, min_margin)
    if floor is not None and floor > hi + EPS:
        return Clamped(None, "blocked")
    if floor is not None:
        lo = max(lo, floor)
    price, bound = target, "target"
    if abs(price - current) <= EPS and lo - EPS <= current <= hi + EPS:
        return Clamped(current, "target")  # no move: today's price exactly (not re-rounded)
    if price < lo:
        price, bound = lo, "floor" if floor is not None and lo == floor else "step"
    elif price > hi:
        price, bound = hi, "step"
    cents = round(price, 2)
    if cents < lo - EPS:
        cents = math.ceil(lo * 100 - EPS) / 100
    if cents > hi + EPS:
        cents = math.floor(hi * 100 + EPS) / 100
    return Clamped(cents if lo - EPS <= cents <= hi + EPS else price, bound)


def optimal_price(current: float, elasticity: float, cost: float | None) -> float | None:
    """Constant-elasticity optimum: with a cost, the margin-maximising price c·e/(1+e) (only for elastic
    demand, e < −1); without one, revenue falls as price rises when e < −1 (go lower) and rises when
    −1 < e < 0 (go higher) — returned as ±infinity-like targets the step then bounds."""
    if elasticity >= 0:
        return None
    if cost is not None and cost > 0 and elasticity < -1:
        return cost * elasticity / (1.0 + elasticity)
    if elasticity < -1:
        return 0.0  # revenue-maximising direction: down (the step bounds it)
    return current * 10.0  # inelastic: up (the step and the market bound it)


def recommend(frame: pd.DataFrame, *, min_margin: float, max_step: float, gap_threshold: float) -> pd.DataFrame:
    """One row per product with columns sku, current (our price), cost (may be NaN), comp_median (may be NaN),
    elasticity (credible estimate or NaN), weekly_units (may be NaN) → adds target, suggested, bound,
    change_pct, reason, revenue_effect, margin_effect, confidence, floor_checked."""
    out = []
    records: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
    for row in records:
        current = float(row["current"])
        cost, median, e = _opt(row["cost"]), _opt(row["comp_median"]), _opt(row["elasticity"])
        reasons: list[str] = []
        target = current
        if median is not None and median > 0:
            gap = (current / median - 1.0) * 100
            if abs(gap) > gap_threshold:
                target = median
                reasons.append(f"{abs(gap):.1f}% {'above' if gap > 0 else 'below'} the competitor median "
                               f"{median:,.2f}")
            else:
                reasons.append(f"within {gap_threshold:g}% of the competitor median {median:,.2f}")
        if e is not None:
            opt = optimal_price(current, e, cost)
            if opt is not None:
                if median is not None and median > 0:  # stay within reach of the market: median ± the threshold
                    band = max(gap_threshold, 1.0) / 100
                    opt = min(max(opt, median * (1 - band)), median * (1 + band))
                target = opt
                reasons.append(f"elasticity {e:.2f}: "
                               + ("margin-maximising price" if cost and e < -1 else
                                  "revenue rises with a lower price" if e < -1 else "demand is inelastic"))
        if median is None and e is None:
            reasons.append("no matched competitor prices and no credible elasticity: the price is kept")
        clamped = clamp_price(target, current, cost, min_margin=min_margin, max_step=max_step)
        floor = margin_floor(cost, min_margin)
        if clamped.bound == "blocked":
            reasons.append(f"current price is more than one step ({max_step:.0%}) below the margin floor "
                           f"{floor:,.2f}: raise in steps or check the cost")
        elif clamped.bound == "floor":
            reasons.append(f"held at the margin floor {floor:,.2f} ({min_margin:.0%} margin)")
        elif clamped.bound == "step":
            reasons.append(f"limited to one step of {max_step:.0%}")
        if cost is None:
            reasons.append("no cost data: the margin floor cannot be checked")
        suggested = clamped.price
        change = None if suggested is None else (suggested / current - 1.0) * 100
        units = _opt(row["weekly_units"])
        revenue_effect = margin_effect = None
        if suggested is not None and units is not None:
            ratio = suggested / current
            new_units = units * ratio ** e if e is not None else units
            revenue_effect = suggested * new_units - current * units
            if cost is not None:
                margin_effect = (suggested - cost) * new_units - (current - cost) * units
        confidence = 0.35 + (0.25 if median is not None else 0.0) + (0.25 if e is not None else 0.0) \
            + (0.1 if cost is not None else 0.0)
        out.append({"target": target, "suggested": suggested, "bound": clamped.bound, "change_pct": change,
                    "reason": "; ".join(reasons),
                    "revenue_effect": revenue_effect, "margin_effect": margin_effect,
                    "confidence": round(min(confidence, 0.95), 2), "floor_checked": cost is not None})
    extra = pd.DataFrame(out, index=frame.index,
                         columns=["target", "suggested", "bound", "change_pct", "reason", "revenue_effect",
                                  "margin_effect", "confidence", "floor_checked"])
    return pd.concat([frame, extra], axis=1)


def _opt(value: Any) -> float | None:
    """A finite float, or None for missing / NaN."""
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def weekly_units(history: pd.DataFrame, weeks: int = 12) -> pd.Series:
    """Mean weekly units per sku over the last `weeks` weeks of an our_price_history(week) frame."""
    if history.empty:
        return pd.Series(dtype=float)
    keys = sorted(history["key"].unique())[-weeks:]
    recent = history[history["key"].isin(keys)]
    return recent.groupby("sku")["units"].sum() / max(len(keys), 1)

