"""The sales agents: quick mode answers the plan's intent; deep mode adds the context around it.

Why a routing table and small handler modules: every sales question is the same few SQL aggregates
arranged differently. The shared parts (filters, coverage, evidence, definitions) live in sales_context.py;
the answers live in sales_rankings.py (rankings, best/worst periods, breakdowns, shares, patterns),
sales_trends.py (overview, trends), sales_changes.py (comparisons, why-change, movers) and sales_returns.py;
`route` below picks one for a plan. Agents receive the validated Plan and never raise for data problems.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ecomintel.agents.base import AgentResult
from ecomintel.agents.sales_changes import compare, movers, why_change
from ecomintel.agents.sales_context import SalesContext
from ecomintel.agents.sales_rankings import breakdown, patterns, ranking, share
from ecomintel.agents.sales_returns import returns
from ecomintel.agents.sales_trends import overview, trend
from ecomintel.ask.plan import Plan
from ecomintel.context import RequestContext
from ecomintel.db.repository import Repository

Handler = Callable[[SalesContext], None]

HANDLERS: dict[str, Handler] = {
    "overview": overview, "top_items": ranking, "bottom_items": ranking, "breakdown": breakdown,
    "share": share, "trend": trend, "compare_periods": compare, "why_change": why_change, "movers": movers,
    "returns": returns, "patterns": patterns,
}


def route(cx: SalesContext) -> Handler:
    """The handler that answers the plan: the intent's, except where the grouping decides (an overview or
    breakdown by a calendar unit is a trend, by weekday/hour a pattern, by product a ranking; a share
    without a part is a breakdown with shares, or the headline metrics when nothing is grouped either)."""
    intent, dim = cx.intent, cx.dimension("country") if cx.group_by else None
    if intent == "share" and cx.plan.filters.is_empty():
        if dim is None:
            cx.warn("The question asks for a share but names no part (a country, product, channel, …); showing "
                    "the headline metrics instead.")
            cx.confidence = min(cx.confidence, 0.3)
            return overview
        intent = "breakdown"  # "share of revenue by country": every group's share_pct, summing to 100
    if intent == "overview" and dim is not None:
        intent = "breakdown"
    if intent == "breakdown" and dim is not None:
        if dim in ("day", "week", "month", "quarter"):
            return trend
        if dim in ("weekday", "hour"):
            return patterns
        if dim == "sku":
            return ranking
    handler = HANDLERS.get(intent)
    if handler is None:
        cx.warn(f"Intent {intent!r} is not a sales analysis; showing the headline metrics.")
        cx.confidence = min(cx.confidence, 0.5)
        return overview
    return handler


def analyse(name: str, repo: Repository, plan: Plan, memo: dict[tuple[Any, ...], Any] | None = None) -> AgentResult:
    """One sales answer for `plan` (the routed handler, then the definitions and confidence)."""
    cx = SalesContext(name, repo, plan, memo)
    if cx.data_start is None or cx.data_end is None:
        cx.result.status = "partial"
        cx.result.summary = "No sales data is loaded for this workspace yet."
        cx.warn("No sales data loaded: upload a sales file or load the sample data first.")
        cx.result.confidence = 0.0
        return cx.result
    cx.data_version = repo.data_version()
    route(cx)(cx)
    return cx.finish()


class SalesAgent:
    """Answers sales questions (quick mode): the plan's intent on the plan's periods and filters."""

    name = "sales"
    description = "Revenue, units, orders, customers and AOV: rankings, breakdowns, shares, trends, " \
                  "comparisons, movers, returns, weekday/hour patterns and why-change decompositions."

    def run(self, ctx: RequestContext, repo: Repository, plan: Plan) -> AgentResult:
        started = time.perf_counter()
        result = analyse(self.name, repo, plan)
        result.elapsed_ms = int((time.perf_counter() - started) * 1000)
        return result


DEEP_ANALYSES: tuple[tuple[str, str | None], ...] = (
    ("trend", None), ("breakdown", "country"), ("top_items", "product"), ("returns", "product"),
    ("patterns", "weekday"), ("patterns", "hour"),
)


class SalesDeepAgent:
    """Deep mode: the context around the question — trend, countries, top products, returns, weekday and
    hour patterns for the same period and filters, plus movers and drivers when two periods are given."""

    name = "sales_deep"
    description = "Heavier sales context for deep mode: trend, country mix, top products, returns, patterns, " \
                  "movers and change drivers."

    def run(self, ctx: RequestContext, repo: Repository, plan: Plan) -> AgentResult:
        started = time.perf_counter()
        result = AgentResult(agent=self.name)
        analyses = list(DEEP_ANALYSES)
        if len(plan.periods) == 2:
            analyses += [("movers", "product"), ("why_change", None)]
        skip = (plan.intent, plan.group_by)
        memo: dict[tuple[Any, ...], Any] = {}
        confidences = []
        for intent, group_by in analyses:
            if (intent, group_by) == skip:
                continue
            update: dict[str, Any] = {"intent": intent, "group_by": group_by}
            if intent not in ("movers", "why_change"):
                update["periods"] = plan.periods[:1]
            part = analyse(self.name, repo, plan.model_copy(update=update), memo)
            result.tables += part.tables
            result.charts += part.charts
            result.findings += [f for f in part.findings if f not in result.findings]
            for w in part.warnings:
                if w not in result.warnings:
                    result.warnings.append(w)
            confidences.append(part.confidence)
            if not result.evidence:
                result.evidence = part.evidence
        result.confidence = min(confidences) if confidences else 0.0
        result.summary = f"Deep context: {len(result.tables)} supporting tables."
        result.elapsed_ms = int((time.perf_counter() - started) * 1000)
        return result
