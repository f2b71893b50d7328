"""The quality gate on answers: a data-quality warning on a report whose answer depends on a bad part of the
data, and a lower confidence to match.

Why a gate after synthesis and not inside each agent: the same three facts matter to every sales answer and
no agent sees them all — whether the answer's period contains a gap of days the shop normally trades on,
whether a customer answer rests on lines without customer ids, whether the amounts it adds mix currencies.
Why cheap: it runs on every answer. Its facts (sales per day with lines lacking a customer id, the sales
currencies) come from one GROUP BY per data_version, kept in the process and in the tenant's cache_entries
rows; deciding per answer is arithmetic over ~300 days. A report answered from the cache already carries
its gate (the cache key holds the data_version).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ecomintel.ask.plan import CUSTOMER_INTENTS, Plan

if TYPE_CHECKING:
    from ecomintel.db.repository import Repository

SALES_AGENTS = frozenset({"sales", "sales_deep", "customers", "pricing"})
CUSTOMER_METRICS = frozenset({"customers", "revenue_per_customer"})
MONEY_METRICS = frozenset({"revenue", "aov", "asp", "avg_daily_revenue", "returns", "return_rate",
                           "revenue_per_customer"})
MISSING_CUSTOMER_SHARE = 0.05  # below it, a customer answer gets no warning
STORE_KEY = "quality_gate:v2"


@dataclass(frozen=True)
class GateFacts:
    """Per day with sales: lines and lines without a customer id; the sales currencies; when there are several,
    the (day, currency) pairs that occur, so that an answer is warned only about the currencies its period adds."""

    days: tuple[str, ...]
    lines: tuple[int, ...]
    no_customer: tuple[int, ...]
    currencies: tuple[str, ...]
    currency_days: tuple[tuple[str, str], ...] = ()


_FACTS: OrderedDict[tuple[str, int, int], GateFacts] = OrderedDict()
_LOCK = threading.Lock()


def gate_facts(repo: Repository) -> GateFacts:
    """The facts for the tenant's current data_version (computed once per version)."""
    from ecomintel.db.cache_entries import CacheEntries

    version = repo.data_version()
    key = (str(repo.engine.url), repo.tenant_id, version)
    with _LOCK:
        if key in _FACTS:
            return _FACTS[key]
    store = CacheEntries(repo.engine, repo.ctx)
    hit = store.cache_entry(version, STORE_KEY)
    if hit is not None:
        data = json.loads(hit[0])
        facts = GateFacts(tuple(data["days"]), tuple(data["lines"]), tuple(data["no_customer"]),
                          tuple(data["currencies"]), tuple((d, c) for d, c in data["currency_days"]))
    else:
        daily = repo.quality_sales_daily()
        codes = tuple(repo.quality_sales_currency_codes())
        facts = GateFacts(tuple(daily["day"]), tuple(int(v) for v in daily["lines"]),
                          tuple(int(v) for v in daily["no_customer"]), codes,
                          tuple(repo.quality_sales_currency_days()) if len(codes) > 1 else ())
        store.put_cache_entry(version, STORE_KEY, json.dumps(facts.__dict__), 7 * 24 * 3600)
    with _LOCK:
        _FACTS[key] = facts
        while len(_FACTS) > 64:
            _FACTS.popitem(last=False)
    return facts


def gate_warnings(plan: Plan, periods: list[dict[str, Any]], facts: GateFacts) -> tuple[list[str], float]:
    """(warnings, confidence factor 0..1) for an answer of `plan` over `periods` given the data's facts."""
    from ecomintel.quality.checks import (
        as_days,
        expected_trading_days,
        gap_runs,
        runs_within,
        span_list,
        trading_weekdays,
    )

    if not set(plan.agents) & SALES_AGENTS or not facts.days:
        return [], 1.0
    days = [d for d in as_days(facts.days) if d <= date.today()]  # a future-dated line is not a trading day
    if not days:
        return [], 1.0
    trading = trading_weekdays(days)
    runs = gap_runs(days, trading)
    warnings: list[str] = []
    factor = 1.0
    for p in periods:
        start, end = date.fromisoformat(str(p["start"])[:10]), date.fromisoformat(str(p["end"])[:10])
        start, end = max(start, days[0]), min(end, days[-1])
        if end < start:
            continue
        inside = runs_within(runs, start, end, trading)
        missing = sum(k for _a, _b, k in inside)
        if missing:
            expected = max(1, expected_trading_days([start, end], trading))
            spans = span_list(inside)
            warnings.append(f"Data quality: {start.isoformat()}..{end.isoformat()} has {missing} trading day"
                            f"{'s' if missing > 1 else ''} without any sales ({spans}) — data missing or the shop "
                            "closed; totals and averages for this period may be low.")
            factor *= max(0.6, min(0.9, 1.0 - 2.0 * missing / expected))
    customer_answer = (plan.intent in CUSTOMER_INTENTS or plan.group_by == "customer"
                       or plan.metric in CUSTOMER_METRICS or bool(plan.filters.customers))
    if customer_answer:
        lines = no_customer = 0
        bounds = [(str(p["start"])[:10], str(p["end"])[:10]) for p in periods] or [(facts.days[0], facts.days[-1])]
        for d, n, nc in zip(facts.days, facts.lines, facts.no_customer, strict=True):
            if any(lo <= d <= hi for lo, hi in bounds):
                lines, no_customer = lines + n, no_customer + nc
        share = no_customer / lines if lines else 0.0
        if share >= MISSING_CUSTOMER_SHARE:
            warnings.append(f"Data quality: {share:.0%} of the period's sales lines ({no_customer:,} of {lines:,}) "
                            "have no customer id; customer figures count only the lines that have one.")
            factor *= max(0.6, 1.0 - share / 2)
    currencies = [c for c in facts.currencies if c]
    if len(currencies) > 1 and periods and facts.currency_days:  # only the currencies the answer's periods add
        bounds = [(str(p["start"])[:10], str(p["end"])[:10]) for p in periods]
        currencies = sorted({c for d, c in facts.currency_days if any(lo <= d <= hi for lo, hi in bounds)})
    if len(currencies) > 1 and plan.metric in MONEY_METRICS:
        warnings.append(f"Data quality: the sales prices mix currencies ({', '.join(currencies)}); amounts in "
                        "different currencies are added as if they were one.")
        factor *= 0.6
    return warnings, factor


def apply_quality_gate(report: dict[str, Any], plan: Plan, repo: Repository) -> dict[str, Any]:
    """The report with the gate's warnings added and its confidence multiplied by the gate's factor
    (`report["data_quality"]` says which warnings and what factor). Never fails an answer."""
    if not set(plan.agents) & SALES_AGENTS:
        return report
    try:
        warnings, factor = gate_warnings(plan, list(report.get("periods") or []), gate_facts(repo))
    except Exception as exc:  # the gate must never break an answer
        report.setdefault("warnings", []).append(f"Data-quality check skipped ({exc.__class__.__name__}).")
        return report
    report["data_quality"] = {"warnings": warnings, "confidence_factor": round(factor, 3)}
    if warnings:
        report["warnings"] = list(dict.fromkeys([*(report.get("warnings") or []), *warnings]))
        report["confidence"] = round(float(report.get("confidence") or 0.0) * factor, 3)
    return report
