"""The offline planner: rules only, no model. Reads intent, metric, grouping, periods, filters, N and
thresholds from the question, and accounts for every meaningful word: what no rule used is reported.

Why rules: the app must answer with no LLM key, and the same question must always give the same plan.
Why the accounting: a question about something the data cannot answer ("profit margin", "revenue in Paris")
must not come back as an unrelated sales overview. Words revealing a missing dataset plan a
`cannot_answer` (ask/gaps.py); a filter word that matches nothing in the data does too; other unused words
are listed in `Plan.not_understood` and lower the confidence.
"""

from __future__ import annotations

import re

from ecomintel.ask import gaps
from ecomintel.ask import keywords as K
from ecomintel.ask import periods as _periods
from ecomintel.ask.domains import DomainQuestion, domain_plan
from ecomintel.ask.entities import STOPWORDS, Entities, find_entities
from ecomintel.ask.plan import Filters, Gap, Period, Plan, agents_for
from ecomintel.ask.question import check_question
from ecomintel.ask.translate import translate_question
from ecomintel.ask.typos import fix_keyword_typos
from ecomintel.ask.understanding import (
    looks_like_filter,
    looks_like_grouping,
    plan_confidence,
    understood_share,
    unused_words,
)
from ecomintel.dates import time_grain
from ecomintel.db.vocab import Vocab
from ecomintel.errors import PlanError

Spans = list[tuple[int, int]]
TIME_UNITS = ("day", "week", "month", "quarter")


def _hits(pattern: str, text: str, spans: Spans) -> bool:
    """Whether `pattern` occurs; records the spans it covered (they count as understood words)."""
    found = False
    for m in re.finditer(pattern, text):
        spans.append(m.span())
        found = True
    return found


def _blank(text: str, spans: Spans) -> str:
    chars = list(text)
    for a, b in spans:
        for i in range(a, min(b, len(chars))):
            chars[i] = " "
    return "".join(chars)


# -- reading the question ------------------------------------------------------------------------------------
def _derived_metric(text: str, spans: Spans) -> str | None:
    """A derived metric named in the question ("units per order", "return rate"), first in table order."""
    for name, pattern in K.DERIVED:
        if _hits(pattern, text, spans):
            return name
    return None


def _metric(text: str, intent: str, group_by: str | None, spans: Spans) -> tuple[str, str | None]:
    """(metric, note) by precedence: "by <metric>" after a ranking, AOV, "how many X", revenue words, units,
    orders, customers. Ranking customers counts revenue, not customers."""
    ranked = re.search(K.BY_METRIC, text) if intent in ("top_items", "bottom_items", "movers") else None
    if ranked and not (group_by == "customer" and metric_of(ranked.group("word")) == "customers"):
        spans.append(ranked.span())
        return metric_of(ranked.group("word")) or "revenue", None
    if _hits(K.AOV, text, spans):
        return "aov", None
    if re.search(r"\bhow\s+many\b(?:\s+\w+)*?\s+(?:did|do|have|has|were|was)\s+(?:we|they|you|i)?\s*(?:sell|sold|buy|bought|ship|shipped)\b", text):
        spans += [m.span() for m in re.finditer(r"\bhow\s+many\b|\b(?:sell|sold)\b", text)]
        return "units", None  # "how many jumbo bags did we sell"
    m = re.search(K.HOW_MANY, text)
    if m:
        what = m.group("what")
        found = {"orders": r"orders?|invoices?|transactions?|purchases|baskets?",
                 "customers": r"customers?|custs?|buyers?|shoppers?|clients?|people|ppl|folks",
                 "returns": r"returns?|refunds?",
                 "units": r"units?|items?|products?|pieces|things|skus?"}
        for metric, words in found.items():
            if re.fullmatch(words, what) and not (metric == "customers" and group_by == "customer"):
                spans.append(m.span())
                return metric, None
    if intent == "returns":
        if _hits(r"\bvalue\b|\brevenue\b|[£$€₹]|\bcost\b|\blost\b|\bmoney\b|\bworth\b", text, spans):
            return "revenue", "Returns measured by value (revenue of returned lines)."
        _hits(K.UNITS, text, spans)
        return "returns", None
    if _hits(K.REVENUE_STRONG, text, spans):
        return "revenue", None
    if _hits(K.UNITS, text, spans):
        return "units", None
    if _hits(K.ORDERS, text, spans):
        return "orders", None
    if group_by != "customer" and _hits(K.CUSTOMERS, text, spans):
        return "customers", None
    if _hits(K.SALES_WEAK, text, spans):
        return "revenue", "'sales' read as revenue (net of returns)."
    if group_by == "customer":
        return "revenue", "Customers ranked by revenue (net of returns)."
    return "revenue", None


def metric_of(word: str) -> str | None:
    """The metric a plain metric word names ("rev" → revenue, "qty" → units), or None."""
    word = re.sub(r"\s+", " ", word)
    return next((name for name, pattern in K.METRIC_WORDS if re.fullmatch(pattern, word)), None)


def second_metrics(text: str, metric: str, group_by: str | None) -> list[str]:
    """Metrics other than the answered one that the question joins with "and"/"plus"/"," ("rev and orders by
    month", "… by rev and their aov"): the report checks its table for them and says which it does not answer,
    instead of dropping them silently. A customer ranking's "customers" is its grouping, not a metric."""
    out = []
    for m in re.finditer(K.METRIC_PAIR, text):
        for word in (m.group("a"), m.group("b")):
            name = metric_of(word) if word else None
            if name is None or name == metric or (name == "customers" and group_by == "customer"):
                continue
            out.append(name)
    return list(dict.fromkeys(out))


def _group_by(text: str, intent: str, spans: Spans) -> str | None:
    # "how many items/products" and "items sold" are a measure, not a grouping; "how many … lines" a count
    probe = re.sub(r"(?:how\s+many|number\s+of)\s+(?:items|products|units)|(?:items|products)\s+sold", " ", text) \
        if intent in ("overview", "compare_periods", "trend") else text
    probe = re.sub(r"\b(?:how\s+many|number\s+of|count\s+of)\s+(?:[a-z-]+\s+){0,3}lines\b", " ", probe)
    counted = re.search(r"(?:how\s+many|number\s+of|count\s+of)\s+(?:distinct\s+|unique\s+)?(?:customers?|buyers?|"
                        r"clients?)", probe)
    ranked = intent in ("top_items", "bottom_items", "breakdown", "movers") and not counted
    customer = re.search(K.CUSTOMER_WORDS + "|" + K.WHO, probe)
    subject = re.search(r"\b(?:products?|items?|skus?|countr(?:y|ies)|categor(?:y|ies)|markets?)\b", probe)
    if subject and customer and subject.start() < customer.start():
        ranked = False  # "products bought by the most customers": products ranked by customers
    if ranked and (_hits(K.CUSTOMER_WORDS, probe, spans) or _hits(K.WHO, probe, spans)):
        _hits(r"\b(?:bought|buys?|purchased?|ordered|spent|spends?|shopped)\b", probe, spans)
        return "customer"
    explicit = re.search(r"\b(?:by|per|each|every|across)\s+(?:the\s+)?(\w+(?:\s+of\s+(?:the\s+)?week)?)", probe)
    if explicit:
        for name, pattern in K.GROUPS:
            if re.fullmatch(pattern, explicit.group(1)) or re.search(pattern, explicit.group(0)):
                spans.append(explicit.span())
                return name
    for name, pattern in K.GROUPS:
        if _hits(pattern, probe, spans):
            if name in TIME_UNITS and intent not in ("trend", "breakdown", "overview", "new_returning", "repeat"):
                continue
            return name
    return None


def _period_rank(text: str, spans: Spans) -> tuple[str, str] | None:
    """("top_items"|"bottom_items", time group) for "best month", "which week had the lowest orders"."""
    m = re.search(K.PERIOD_RANK, text)
    if not m:
        return None
    unit = next(u for u in (m.group("unit"), m.group("unit2"), m.group("unit3")) if u)
    word = next(d for d in (m.group("dir"), m.group("dir2"), m.group("dir3")) if d)
    spans.append(m.span())
    spans += [d.span() for d in re.finditer(rf"\b{re.escape(word)}\b", text)]
    group = K.PERIOD_UNITS[re.sub(r"\s+", " ", unit)]
    bottom = bool(re.fullmatch(rf"(?:{K.RANK_WORDS_BOTTOM}|bottomed|sold\s+(?:the\s+)?least)", word))
    return ("bottom_items" if bottom else "top_items"), group


def _customer_intent(text: str, spans: Spans) -> str | None:
    for intent, pattern in (("cohorts", K.COHORTS), ("repeat", K.REPEAT), ("new_returning", K.NEW_RETURNING)):
        if _hits(pattern, text, spans):
            return intent
    return None


def _weekday_qualifier(text: str, spans: Spans) -> list[str]:
    """"weekend share of revenue", "weekday sales": the days as a filter (the period parser reads the
    phrases with a preposition, "on weekends"; "by weekday" and "weekdays vs weekends" stay groupings)."""
    if _hits(K.WEEKEND_FILTER, text, spans):
        return ["Saturday", "Sunday"]
    if _hits(K.WEEKDAY_FILTER, text, spans):
        return ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    return []


def protected_words(vocab: Vocab) -> frozenset[str]:
    """Words the typo fixer must leave alone: the tenant's product-name words and country names."""
    words = {w for name in vocab.catalogue.values() for w in re.findall(r"[a-z]+", name.lower())}
    words |= {w for c in vocab.countries for w in re.findall(r"[a-z]+", c.lower())}
    return frozenset(words) | STOPWORDS | K.FILLER  # real words the rules read as they are ("return", "order")


def _home_market(text: str, vocab: Vocab, ents: Entities, spans: Spans) -> list[str]:
    """"international" / "overseas" = outside the home market, "domestic" = inside it; the home market is
    the country with the most sales lines. Adds the filter to `ents` and returns the note saying so."""
    home = vocab.main_country
    if home is None:
        return []
    if _hits(K.INTERNATIONAL, text, spans):
        if home not in ents.exclude_countries:
            ents.exclude_countries.append(home)
        return [f"International = outside {home}, your largest market."]
    if _hits(K.DOMESTIC, text, spans):
        if home not in ents.countries:
            ents.countries.append(home)
        return [f"Domestic = {home}, your largest market."]
    return []


def _has_filter(ents: Entities, weekdays: list[str]) -> bool:
    return bool(ents.countries or ents.exclude_countries or ents.skus or ents.products or ents.categories
                or ents.channels or ents.marketplaces or weekdays)


def _intent(text: str, relation: str, ents: Entities, weekdays: list[str], spans: Spans) -> str | None:
    customer = _customer_intent(text, spans)
    if customer:
        return customer
    if re.search(K.SHARE, text) and _has_filter(ents, weekdays) and not re.search(r"\bby\s+\w+", text):
        _hits(K.SHARE, text, spans)
        return "share"
    if _hits(K.WHY, text, spans):
        return "why_change"
    counted = re.search(r"\b(?:how\s+many|number\s+of|count\s+of|no\.?\s+of)\s+(?:distinct\s+|unique\s+|different\s+)?"
                        r"(?:customers|custs|buyers|clients|shoppers|people|ppl|folks)\s+(?:who|that)\b", text)
    if not counted and _hits(K.WHICH_CUSTOMERS, text, spans):  # "number of customers who bought" is a count
        return "bottom_items" if _hits(K.BOTTOM, text, spans) else "top_items"  # "which customers bought 85123A": customers ranked (the grouping reads the words)
    if _hits(K.MOVERS, text, spans):
        return "movers"
    if _hits(K.RETURNS, text, spans) or _hits(K.ADJUSTMENTS, text, spans):
        return "returns"
    if _hits(K.PATTERNS, text, spans):
        return "patterns"
    bottom = _hits(K.BOTTOM, text, spans) or ents.order == "asc"
    top = _hits(K.TOP, text, spans) or ents.top_n is not None
    if bottom:
        return "bottom_items"
    if top:
        return "top_items"
    if relation != "compare" and len(ents.countries) >= 2 and re.search(r"\bvs\b|versus|compar|against", text):
        _hits(r"\bvs\b|versus|compar\w*|against", text, spans)
        return "breakdown"  # "Germany vs France": one period, split by country
    if relation == "compare" or _hits(K.COMPARE, text, spans):
        return "compare_periods"
    if _hits(K.TREND, text, spans):
        return "trend"
    if _hits(K.BREAKDOWN, text, spans) or _hits(K.SHARE, text, spans):
        return "breakdown"
    if _hits(K.OVERVIEW, text, spans):
        return "overview"
    return None


# -- periods --------------------------------------------------------------------------------------------------
def compare_hint(text: str) -> bool:
    """Whether the question compares periods (so "from Oct to Nov" means Oct vs Nov). "vs" alone is left to
    the period parser: "Germany vs France" compares countries, not periods."""
    words = re.sub(r"\bvs\b|\bversus\b|\bagainst\b", " ", _periods.normalise(text))
    return bool(re.search(K.WHY + "|" + K.MOVERS + "|" + K.COMPARE, words))


def resolve_question_periods(question: str, vocab: Vocab, *, compare: bool) -> _periods.PeriodResult:
    """Periods of the question; an empty result (and a note) when the tenant has no sales yet."""
    if not vocab.has_sales:
        result = _periods.PeriodResult(text=_periods.normalise(question), original=question)
        result.notes.append("No sales data loaded yet, so no period could be resolved.")
        return result
    assert vocab.sales_start is not None and vocab.sales_end is not None
    return _periods.resolve_periods(question, data_start=vocab.sales_start, data_end=vocab.sales_end, compare=compare)


def default_periods(intent: str, vocab: Vocab) -> tuple[list[Period], list[str]]:
    """No period in the question: all the data (stated with its dates, so the report shows them)."""
    if not vocab.has_sales or vocab.sales_start is None or vocab.sales_end is None:
        return [], []
    period = Period(start=vocab.sales_start, end=vocab.sales_end, label="all data")
    return [period], [f"No period named: used all data, {vocab.sales_start}..{vocab.sales_end}."]


def trend_grain(periods: list[Period]) -> str:
    """The one time-grain rule (ecomintel.dates.time_grain) over the first period; week when there is none."""
    return time_grain(periods[0].start, periods[0].end) if periods else "week"




def cannot_answer(gap: Gap, *, mode: str, notes: list[str] | None = None,
                  not_understood: list[str] | None = None) -> Plan:
    """A plan that runs no agent: the report says what is missing (see ask/gaps.py). Confidence that the
    refusal is right: high when words name missing data, lower when it rests on words no rule read."""
    confidence = {"not_understood": 0.7, "off_topic": 0.8}.get(gap.need, 0.9)
    return Plan(intent="cannot_answer", agents=[], mode=mode, planner="offline", confidence=confidence,  # type: ignore[arg-type]
                gap=gap, notes=(notes or [])[:20], not_understood=(not_understood or [])[:20])


def offline_plan(question: str, vocab: Vocab, *, mode: str = "quick") -> Plan:
    """Parse a question with rules only: intent, metric, grouping, periods, filters, N, thresholds — or a
    cannot_answer plan when the question needs what the tenant lacks or names what its data does not have."""
    question = check_question(question)
    question, translated = translate_question(question, protected_words(vocab))
    question, typo_notes = fix_keyword_typos(question, protected_words(vocab))
    typo_notes = translated + typo_notes
    claimed = domain_plan(DomainQuestion(question, _periods.normalise(question), vocab, mode))
    if claimed is not None:  # pricing, reviews, forecasts, data quality (ask/domains.py)
        return claimed
    spans: Spans = []
    try:
        pr = resolve_question_periods(question, vocab, compare=compare_hint(question))
    except PlanError as exc:  # a period outside the data or a nonsense date: say so, answer nothing
        requirement = gaps.find_gap(_periods.normalise(question))
        if requirement is not None:  # what is missing matters more than the period
            return cannot_answer(gaps.gap_for(requirement, vocab), mode=mode)
        need = "forecast" if re.search(r"\bafter\b|\bfuture\b|is after", exc.message) else "sales"
        return cannot_answer(Gap(need=need, message=f"{exc.message} {exc.hint}".strip()[:400],  # type: ignore[arg-type]
                                 suggestions=gaps.suggestions(vocab)), mode=mode)
    spans += pr.consumed
    text = _blank(pr.text, pr.consumed)
    original = _blank(pr.original, pr.consumed)
    # read before names: "adjusted out of stock" is sales data (not a product called "stock", not inventory),
    # "net of returns" is the revenue definition (not a returns question)
    adjustments = _hits(K.ADJUSTMENTS, text, spans)
    if adjustments or _hits(K.NET_OF_RETURNS, text, spans):
        text, original = _blank(text, spans), _blank(original, spans)
    try:
        ents = find_entities(text, original, vocab)
    except PlanError as exc:  # e.g. a SKU that is not in the data
        return cannot_answer(Gap(need="not_understood", message=f"{exc.message} {exc.hint}".strip()[:400],
                                 suggestions=gaps.suggestions(vocab)), mode=mode)
    spans += ents.consumed
    text = _blank(text, ents.consumed)
    weekdays = list(getattr(pr, "weekdays", []) or []) or _weekday_qualifier(text, spans)
    unread = [str(w) for w in getattr(pr, "unread", []) or []]

    home_notes = _home_market(text, vocab, ents, spans)
    requirement = gaps.find_gap(text)
    if requirement is not None:
        return cannot_answer(gaps.gap_for(requirement, vocab), mode=mode)

    _hits(r"\bexclud\w*|\bexcept\b|\bwithout\b|\bexcl\b|\bother\s+than\b|\bapart\s+from\b|\boutside\b|\bnon\b",
          text, spans)
    notes = [*typo_notes, *pr.notes, *home_notes]
    derived = _derived_metric(text, spans)
    if derived:
        text = _blank(text, spans)  # "average daily revenue" is a metric, not a daily trend
    rank = None if _customer_intent(text, []) else _period_rank(text, spans)
    intent = rank[0] if rank else _intent(text, pr.relation, ents, weekdays, spans)
    if adjustments and intent in (None, "overview"):
        intent = "returns"  # returns and stock adjustments are reported together
    # "all time", "so far", "to date" = all the data up to the latest day (the default period)
    _hits(r"\ball[- ]time\b|\bever\b|\bso\s+far\b|\bto\s+date\b|\bup\s+(?:un)?till?\s+now\b|\btill\s+now\b", text, spans)
    _hits(K.DIRECTION, text, spans)  # "tanked", "spiked": how it changed, read with the change words
    include_partial = _hits(K.PARTIAL_TOO, pr.text, spans)
    if intent is None and derived:
        intent = "overview"
    measured = derived is not None or None is not re.search("|".join((K.REVENUE_STRONG, K.UNITS, K.ORDERS, K.CUSTOMERS, K.SALES_WEAK, K.AOV,
                                   K.RETURNS, *(p for _, p in K.DERIVED))), text)
    named = bool(pr.consumed or ents.consumed or weekdays)
    if intent == "overview" and not (measured or named):
        intent = None  # "what is the weather": nothing about sales was asked
    if intent is None and not measured and gaps.is_off_topic(text):  # "capital of France" names a country
        return cannot_answer(gaps.not_understood_gap(vocab, [], off_topic=True), mode=mode)
    fallback = intent is None and not measured
    if intent is None and (named or measured):
        intent = "overview"
        notes.append("Question read as an overview of the headline numbers.")
    group_by = rank[1] if rank else _group_by(text, intent or "overview", spans)
    metric, metric_note = (derived, None) if derived else _metric(text, intent or "overview", group_by, spans)
    if metric_note:
        notes.append(metric_note)

    unused = unused_words(pr.text, spans)
    unknown_groups = [w.text for w in unused if looks_like_grouping(pr.text, w, spans, pr.consumed)]
    if unknown_groups:
        return cannot_answer(gaps.unknown_dimension_gap(vocab, unknown_groups), mode=mode, notes=notes,
                             not_understood=[w.text for w in unused])
    unknown_filters = [w.text for w in unused if looks_like_filter(pr.text, w)]
    if unknown_filters:
        return cannot_answer(gaps.unknown_filter_gap(vocab, unknown_filters), mode=mode, notes=notes,
                             not_understood=unknown_filters)
    also = second_metrics(text, metric, group_by)
    not_understood = list(dict.fromkeys([*unread, *(w.text for w in unused)]))
    if intent is None:
        off_topic = gaps.is_off_topic(pr.text)
        return cannot_answer(gaps.not_understood_gap(vocab, not_understood, off_topic=off_topic), mode=mode,
                             not_understood=not_understood)
    if not vocab.has_sales:
        return cannot_answer(gaps.not_understood_gap(vocab, []), mode=mode)

    group_by, intent = _settle_grouping(intent, group_by, text)
    top_n = ents.top_n
    if top_n is None and intent in ("top_items", "bottom_items") and re.search(
            r"\bwhich\s+(?:single\s+)?(?:country|product|item|sku|category|channel|marketplace|customer)\b(?!s)", text):
        top_n = 1  # "which country had the highest AOV": one answer (the table still leads with it)
    order = ents.order or ("asc" if intent == "bottom_items" else "desc")
    if intent == "movers" and re.search(K.FALLERS, text):
        order = "asc"  # fallers first
        spans += [m.span() for m in re.finditer(K.FALLERS, text)]
    total_filters = None
    if intent == "share" and ents.countries and (ents.skus or ents.products or ents.categories):
        # "what % of germany's revenue was 22423": the country is the whole, the product the part
        total_filters = Filters(countries=ents.countries)
    periods = list(pr.periods)
    if intent in ("compare_periods", "why_change", "movers") and len(periods) < 2 and vocab.has_sales:
        again = resolve_question_periods(question, vocab, compare=True)
        if len(again.periods) == 2:
            periods, notes = again.periods, [*again.notes, *notes[len(pr.notes):]]
    if not periods:
        periods, more = default_periods(intent, vocab)
        notes += more
    if intent == "trend" and group_by not in TIME_UNITS:
        group_by = trend_grain(periods)
        notes.append(f"Trend shown by {group_by}.")
    notes += ents.notes
    if weekdays:
        notes.append("Only " + ", ".join(weekdays) + ".")
    if not_understood:
        notes.append("Not understood, so not used: " + ", ".join(f"'{w}'" for w in not_understood) + ".")
    if metric == "revenue":
        notes.append("Revenue is net: returns and cancellations subtract.")

    confidence = plan_confidence(understood_share(pr.text, spans), len(not_understood), notes, fallback=fallback)
    return Plan(
        intent=intent,  # type: ignore[arg-type]
        agents=agents_for(intent, mode), metric=metric, periods=periods[:2], group_by=group_by,  # type: ignore[arg-type]
        also_metrics=also[:4],  # type: ignore[arg-type]
        filters=Filters(countries=ents.countries, exclude_countries=ents.exclude_countries, skus=ents.skus[:100],
                        exclude_skus=ents.exclude_skus[:100],
                        products=ents.products[:20], categories=ents.categories[:20],
                        marketplaces=ents.marketplaces[:20], channels=ents.channels[:20],
                        weekdays=weekdays),  # type: ignore[arg-type]
        top_n=min(top_n or 10, 100), order=order,  # type: ignore[arg-type]
        include_partial=include_partial, total_filters=total_filters,
        thresholds=ents.thresholds, mode=mode, planner="offline",  # type: ignore[arg-type]
        confidence=confidence, notes=_dedupe(notes)[:20], not_understood=not_understood[:20])


def _settle_grouping(intent: str, group_by: str | None, text: str) -> tuple[str | None, str]:
    """Defaults that depend on intent and grouping together: rankings need a dimension, an overview
    grouped by time is a trend, a comparison per group is a movers table."""
    if intent in ("top_items", "bottom_items", "movers") and group_by is None:
        return "product", intent
    if intent == "movers" and group_by in TIME_UNITS:
        return "product", intent
    if intent == "patterns" and group_by not in ("weekday", "hour"):
        return ("hour" if re.search(r"\bhour|time", text) else "weekday"), intent
    if intent == "returns" and group_by is None and re.search(K.TOP + r"|\bwhich\b|\bwhat\b", text):
        return "product", intent
    if intent == "breakdown" and group_by is None:
        return "country", intent
    if intent == "overview" and group_by in TIME_UNITS:
        return group_by, "trend"
    if intent == "overview" and group_by is not None:
        return group_by, "breakdown"
    if intent == "compare_periods" and group_by in ("product", "sku", "country", "category", "channel",
                                                    "marketplace", "customer"):
        return group_by, "movers"  # a change per group is a movers table
    return group_by, intent


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
