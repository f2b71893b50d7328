"""Stockout risk and reorder advice from a demand forecast and the stock on hand.

Definitions (the page and the agent state them):
- lead-time demand D_L = the forecast demand of the next `lead_time_days` days (day 1 = the day after the
  forecast's cut-off). Its distribution: normal with mean Σ mean_t and variance Σ σ_t² — the days' errors taken
  as independent, σ_t read from the upper half of each day's 95% interval ((hi95 − point) / 1.96), at least
  Poisson's √mean_t. Stockout probability = P(D_L > inventory_level).
- reorder point = the service-level quantile of D_L (mean + z·σ): reorder when stock falls to it.
- suggested order = what brings stock up to the service-level quantile of the demand over lead time plus one
  review period (REVIEW_DAYS, the time until the next order can arrive), minus the stock on hand, never < 0.
- days of cover = days until the cumulative mean demand exceeds the stock (None when it lasts past the
  horizon; then `covers_horizon` is True).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

REVIEW_DAYS = 7
HIGH_RISK = 0.5        # a finding "critical" when stockout is more likely than not before the next delivery
WARN_RISK = 0.2
OVERSTOCK_DAYS = 120   # stock lasting longer than this (at the forecast rate) is an overstock finding


def normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def normal_quantile(p: float) -> float:
    """Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9 after one Newton step)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be in (0, 1)")
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02, 1.383577518672690e02,
         -3.066479806614716e01, 2.506628277459239e00)
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01,
         -1.328068155288572e01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00, -2.549732539343734e00,
         4.374664141464968e00, 2.938163982698783e00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    lo = 0.02425
    if p < lo:
        q = math.sqrt(-2 * math.log(p))
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / \
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    elif p <= 1 - lo:
        q = p - 0.5
        r = q * q
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / \
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    else:
        q = math.sqrt(-2 * math.log(1 - p))
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / \
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    e = normal_cdf(x) - p  # one Newton step
    return x - e * math.sqrt(2 * math.pi) * math.exp(x * x / 2)


def daily_sd(point: float, mean: float, hi95: float) -> float:
    return max((hi95 - point) / 1.96, math.sqrt(max(mean, 0.0)))


def demand_over(means: Sequence[float], sds: Sequence[float], days: int) -> tuple[float, float]:
    """(mean, sd) of the total demand of the first `days` days; days past the forecast repeat its average."""
    n = len(means)
    if n == 0 or days <= 0:
        return 0.0, 0.0
    mu = sum(means[:days])
    var = sum(s * s for s in sds[:days])
    if days > n:
        extra = days - n
        mu += extra * sum(means) / n
        var += extra * sum(s * s for s in sds) / n
    return mu, math.sqrt(var)


def stockout_probability(stock: float, mu: float, sigma: float) -> float:
    """P(demand > stock) for normal demand (mean mu, sd sigma); certain when there is no stock and demand."""
    if sigma <= 0:
        return 1.0 if mu > stock else 0.0
    return 1.0 - normal_cdf((stock - mu) / sigma)


def reorder_point(mu: float, sigma: float, service_level: float) -> float:
    return mu + normal_quantile(service_level) * sigma


@dataclass(frozen=True)
class StockAdvice:
    sku: str
    inventory_level: float
    lead_time_days: int
    lead_time_demand: float
    stockout_probability: float
    reorder_point: float
    suggested_order: int
    days_of_cover: int | None
    covers_horizon: bool
    daily_mean: float


def advise(sku: str, inventory_level: float, lead_time_days: int, points: Sequence[float],
           means: Sequence[float], hi95: Sequence[float], service_level: float = 0.95) -> StockAdvice:
    """The stockout risk and reorder advice of one product from its daily forecast (day 1 first)."""
    sds = [daily_sd(p, m, h) for p, m, h in zip(points, means, hi95, strict=True)]
    lead = max(0, int(lead_time_days))
    mu, sigma = demand_over(means, sds, lead)
    prob = stockout_probability(inventory_level, mu, sigma)
    rop = reorder_point(mu, sigma, service_level)
    mu_r, sigma_r = demand_over(means, sds, lead + REVIEW_DAYS)
    order = max(0, math.ceil(reorder_point(mu_r, sigma_r, service_level) - inventory_level))
    cover, cumulative = None, 0.0
    for day, m in enumerate(means, start=1):
        cumulative += m
        if cumulative > inventory_level:
            cover = day - 1
            break
    daily_mean = sum(means) / len(means) if means else 0.0
    return StockAdvice(sku, float(inventory_level), lead, round(mu, 2), round(prob, 4), round(rop, 2), order,
                       cover, cover is None, round(daily_mean, 3))
