"""Deterministic patterns for the questions analysts ask most, answered without any guessing.

Why a router in front of the planners: "top 10 products by revenue in November 2011" has exactly one
reading; matching it with a whole-question pattern is instant (well under 100 ms), costs no LLM call and
gives a plan we can state with high confidence. Anything that does not match a pattern *completely*
(every slot resolves: the period, the excluded countries) returns None and goes to the planners.
"""

from __future__ import annotations

import re

from ecomintel.ask.entities import country_lookup
from ecomintel.ask.offline_planner import default_periods, trend_grain
from ecomintel.ask.periods import normalise, resolve_periods
from ecomintel.ask.plan import Filters, Period, Plan, agents_for
from ecomintel.db.vocab import Vocab

_METRICS = {"revenue": "revenue", "sales": "revenue", "turnover": "revenue", "net revenue": "revenue",
            "units": "units", "units sold": "units", "quantity": "units", "orders": "orders",
            "customers": "customers", "aov": "aov", "average order value": "aov"}
_GROUPS = {"products": "product", "product": "product", "items": "product", "skus": "product",
           "countries": "country", "country": "country", "categories": "category", "category": "category",
           "channels": "channel", "channel": "channel", "marketplaces": "marketplace",
           "marketplace": "marketplace", "day": "day", "week": "week", "month": "month", "quarter": "quarter",
           "weekday": "weekday", "day of week": "weekday", "day of the week": "weekday", "hour": "hour",
           "hour of day": "hour"}
_METRIC = r"(?P<metric>" + "|".join(sorted(_METRICS, key=len, reverse=True)) + ")"
_GROUP = r"(?P<group>" + "|".join(sorted(_GROUPS, key=len, reverse=True)) + ")"
_PERIOD = r"(?:\s+(?:in|for|during|over|from|of)?\s*(?P<period>[\w'/ .-]+?))?"
_EXCL = r"(?:\s*,?\s+(?:excluding|except(?:\s+for)?|without)\s+(?:the\s+)?(?P<excl>[a-z .,&]+?))?"
_PREFIX = r"(?:(?:show|give|list|get)\s+(?:me\s+)?|what\s+(?:are|were|was|is)\s+)?(?:the\s+|our\s+)?"

TEMPLATES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("top", re.compile(rf"^{_PREFIX}(?P<dir>top|bottom|best|worst)\s+(?P<n>\d{{1,3}})\s+{_GROUP}\s+by\s+{_METRIC}"
                       rf"{_PERIOD}{_EXCL}$")),
    ("by", re.compile(rf"^{_PREFIX}(?:total\s+)?{_METRIC}\s+(?:by|per)\s+{_GROUP}{_PERIOD}{_EXCL}$")),
    ("total", re.compile(rf"^{_PREFIX}(?:total\s+)?{_METRIC}{_PERIOD}{_EXCL}$")),
    ("vs", re.compile(rf"^(?:compare\s+)?{_METRIC}\s*:?\s+(?:in\s+)?(?P<p1>[\w'/ .-]+?)\s+(?:vs\.?|versus|compared\s+"
                      rf"(?:to|with))\s+(?P<p2>[\w'/ .-]+?)$")),
    ("returns", re.compile(rf"^which\s+products\s+(?:were|are|got)\s+returned\s+(?:the\s+)?most{_PERIOD}$")),
)


def _period_slot(text: str, vocab: Vocab, *, count: int = 1) -> tuple[list[Period], list[str]] | None:
    """`count` periods for a slot that must be *only* time expressions; None when anything else is in it."""
    if vocab.sales_start is None or vocab.sales_end is None:
        return None
    result = resolve_periods(text, data_start=vocab.sales_start, data_end=vocab.sales_end, compare=count == 2)
    if len(result.periods) != count:
        return None
    rest = list(result.text)
    for a, b in result.consumed:
        rest[a:b] = " " * (b - a)
    if re.sub(r"\bvs\b", "", "".join(rest)).strip(" ,.-"):
        return None
    return result.periods, result.notes


def _excluded(text: str | None, vocab: Vocab) -> list[str] | None:
    if not text:
        return []
    lookup = country_lookup(vocab)
    out = []
    for part in re.split(r"\s*(?:,|&|\band\b)\s*", text.strip(" .")):
        name = re.sub(r"^the\s+", "", part.strip())
        if name not in lookup:
            return None
        out.append(lookup[name])
    return out


def route(question: str, vocab: Vocab) -> Plan | None:
    """A high-confidence plan when the whole question matches a known pattern, else None.

    PlanError from the period parser (a month outside the data) propagates: the question was understood
    and the answer is that the data does not cover it.
    """
    text = " ".join(normalise(question).split()).rstrip("?!. ")
    if not vocab.has_sales or len(text) > 200:
        return None
    for name, pattern in TEMPLATES:
        m = pattern.match(text)
        plan = _build(name, m.groupdict(), vocab) if m else None
        if plan is not None:
            return plan
    return None


def _build(name: str, slots: dict[str, str | None], vocab: Vocab) -> Plan | None:
    """The plan for one matched template, or None when a slot does not resolve completely."""

    notes: list[str] = []
    if name == "vs":
        both = _period_slot(f"{slots['p1']} vs {slots['p2']}", vocab, count=2)
        if both is None:
            return None
        periods, more = both
        notes += more
    elif slots.get("period"):
        found = _period_slot(slots["period"] or "", vocab)
        if found is None:
            return None
        periods, more = found
        notes += more
    else:
        periods, more = default_periods("overview", vocab)
        notes += more
    excluded = _excluded(slots.get("excl"), vocab)
    if excluded is None:
        return None
    metric = _METRICS.get(slots.get("metric") or "", "returns")
    group = _GROUPS.get(slots.get("group") or "")
    top_n, order = 10, "desc"
    if name == "top":
        intent = "bottom_items" if slots["dir"] in ("bottom", "worst") else "top_items"
        top_n, order = int(slots["n"] or 0), "asc" if intent == "bottom_items" else "desc"
        if not 1 <= top_n <= 100:
            return None
        if group in ("day", "week", "month", "quarter", "weekday", "hour"):
            return None
    elif name == "by":
        intent = ("trend" if group in ("day", "week", "month", "quarter")
                  else "patterns" if group in ("weekday", "hour") else "breakdown")
    elif name == "total":
        intent = "overview"
    elif name == "vs":
        intent = "compare_periods"
    else:
        intent, group = "returns", "product"
    if intent == "trend" and group is None:
        group = trend_grain(periods)
    if metric == "revenue":
        notes.append("Revenue is net: returns and cancellations subtract.")
    return Plan(intent=intent, agents=agents_for(intent, "quick"), metric=metric,  # type: ignore[arg-type]
                periods=periods, group_by=group, filters=Filters(exclude_countries=excluded),  # type: ignore[arg-type]
                top_n=top_n, order=order, planner="pattern", confidence=0.95,  # type: ignore[arg-type]
                notes=notes[:20])
