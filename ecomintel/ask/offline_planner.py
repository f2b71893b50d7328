"""The offline planner: rules only, no model. Reads intent, metric, grouping, periods, filters, N and
thresholds from the question and accounts for every meaningful word (what it did not use is reported).

Why rules: the app must answer with no LLM key, and the same question must always give the same plan.
"""

from __future__ import annotations

import re

from ecomintel.ask import periods as _periods
from ecomintel.ask.entities import Entities, find_entities
from ecomintel.ask.plan import Filters, Period, Plan, agents_for
from ecomintel.ask.question import check_question
from ecomintel.db.vocab import Vocab

# -- keyword tables (checked on the normalised question with periods and entities blanked out) -----------
_WHY = r"\bwhy\b|what\s+(?:caused|drove|explains|happened)|\breasons?\b|\bexplain|\bdrivers?\b|\bdrove\b|decompos|contribut|behind\s+the"
_MOVERS = (r"\bmovers?\b|\brisers?\b|\bfallers?\b|\bgainers?\b|\blosers?\b|\bwinners?\b"
           r"|(?:grew|growing|rose|increased|declined|dropped|fell|decreased|improved|gained|lost|jumped)\s+(?:the\s+)?most"
           r"|(?:biggest|largest|greatest|fastest|sharpest|most)\s+(?:[a-z]+\s+)?(?:increases?|decreases?|drops?|rises?|gains?|loss(?:es)?|declines?|changes?|jumps?|falls?|growth|growing|declining|movers?)"
           r"|fastest[- ]growing|trending\s+(?:up|down)")
_FALLERS = (r"\b(?:fell|fallen|falling|dropped|dropping|declined|declining|decreased|decreasing|lost|shrank|slumped)"
            r"\s+(?:the\s+)?most\b|\b(?:decliners|fallers|losers)\b|(?:biggest|largest|sharpest|steepest|greatest)\s+"
            r"(?:drops?|declines?|decreases?|falls?|loss(?:es)?)")
_RETURNS = r"\breturn(?:s|ed|ing)?\b|\brefund|\bcancel+(?:ed|ations?|s)?\b|\bcredit\s+notes?\b"
_PATTERNS = (r"day\s+of\s+(?:the\s+)?week|\bweekdays?\b|\bwhich\s+day|\bwhat\s+day|days\s+of\s+the\s+week"
             r"|\bhours?\b|\bhourly\b|time\s+of\s+(?:the\s+)?day|what\s+time|\bbusiest\b|\bpeak\b|\bquietest\b")
_COMPARE = (r"\bcompar|\bvs\b|\bversus\b|\bchange[ds]?\b|\bdifference\b|\bdiffer\b|\bgrowth\b|\bgrow\b|\bgrew\b"
            r"|\bincrease[ds]?\b|\bdecrease[ds]?\b|\bdrop(?:ped)?\b|\bfell\b|\bfall\b|\brise\b|\brose\b|\bdeclined?\b"
            r"|up\s+or\s+down|\bagainst\b")
_TOP = r"\btop\b|\bbest\b|\bhighest\b|\bmost\b|\bbiggest\b|\blargest\b|\bleading\b|best[- ]?sell|\bpopular\b|\bstrongest\b"
_BOTTOM = r"\bbottom\b|\bworst\b|\blowest\b|\bleast\b|\bfewest\b|\bsmallest\b|\bweakest\b|\bslowest\b|\bpoorest\b"
_TREND = (r"\btrends?\b|over\s+time|\bdaily\b|\bweekly\b|\bmonthly\b|\bquarterly\b|(?:per|by|each|every)\s+(?:day|week|month|quarter|date)"
          r"|time\s+series|\bevolution\b|\bevolv|\bprogress|(?:day|week|month)\s+by\s+(?:day|week|month)|\bover\s+the\s+(?:weeks|months|days)")
_BREAKDOWN = (r"\bby\s+(?:country|countries|product|products|category|categories|channel|channels|marketplace|marketplaces|sku|skus|market|markets|region|item|items)\b"
              r"|\bper\s+(?:country|product|category|channel|marketplace|sku|market|region|item)\b|\bbreak\s*down|broken\s+down|\bsplit\b|\bshare\b|\bdistribution\b|\bacross\b|\beach\s+(?:country|product|category|channel|marketplace)")
_OVERVIEW = (r"how\s+much|how\s+many|\btotal\b|\boverview\b|\bsummary\b|\bkpis?\b|\bheadline|\bperformance\b|\bhow\s+(?:did|are|were|is)\b"
             r"|\bwhat\s+(?:was|were|is|are)\b|\bnumbers\b|\bfigures\b|\bstats\b")

_AOV = r"\baov\b|average\s+order\s+(?:value|size)|avg\.?\s+order|average\s+basket|basket\s+(?:size|value)|\border\s+value|average\s+(?:spend|sale|transaction)"
_HOW_MANY = r"(?:how\s+many|number\s+of|count\s+of|no\.?\s+of)\s+(?:distinct\s+|unique\s+|different\s+)?(?P<what>\w+)"
_REVENUE_STRONG = r"\brevenues?\b|\bturnover\b|\bincome\b|\bmoney\b|\bgmv\b|\btakings\b|\bearn|[£$€₹]|\bvalue\b|\bsales\s+value|\bspen[dt]\b|\bmade\b|\bgenerated?\b|\bgross\b|\bnet\b"
_UNITS = (r"\bunits?\b|\bquantit(?:y|ies)\b|\bqty\b|items?\s+sold|products?\s+sold|\bpieces\b|\bvolumes?\b|best[- ]?sell"
          r"|\bbest\s+sellers?\b|most\s+(?:sold|popular)|sold\s+(?:the\s+)?most|\bpopular\b|top[- ]selling|how\s+many\s+(?:items|products|things)")
_ORDERS = r"\borders?\b|\binvoices?\b|\btransactions?\b|\bpurchases\b|\bbaskets?\b"
_CUSTOMERS = r"\bcustomers?\b|\bbuyers?\b|\bshoppers?\b|\bclients?\b"
_SALES_WEAK = r"\bsales?\b|\bsold\b|\bselling\b|\bsell\b"

_GROUPS: tuple[tuple[str, str], ...] = (
    ("weekday", r"day\s+of\s+(?:the\s+)?week|\bweekdays?\b|\bwhich\s+day|\bwhat\s+day|days\s+of\s+the\s+week"),
    ("hour", r"\bhours?\b|\bhourly\b|time\s+of\s+(?:the\s+)?day|what\s+time"),
    ("day", r"\bdaily\b|(?:per|by|each|every)\s+(?:day|date)\b|day\s+by\s+day|\bday-by-day"),
    ("week", r"\bweekly\b|(?:per|by|each|every)\s+(?:iso\s+)?week\b|week\s+by\s+week|\bweek-by-week"),
    ("month", r"\bmonthly\b|(?:per|by|each|every)\s+month\b|month\s+by\s+month|\bmonth-by-month"),
    ("quarter", r"\bquarterly\b|(?:per|by|each|every)\s+quarter\b"),
    ("category", r"\bcategor(?:y|ies)\b"),
    ("channel", r"\bchannels?\b"),
    ("marketplace", r"\bmarketplaces?\b"),
    ("country", r"\bcountr(?:y|ies)\b|\bmarkets?\b|\bregions?\b|\bnations?\b|\bgeograph|\bwhere\b"),
    ("product", r"\bproducts?\b|\bitems?\b|\bskus?\b|stock\s*codes?\b|\barticles?\b|best[- ]?sellers?|\bwhat\s+sold\b|\bwhich\s+sold\b|\bmerchandise\b|\blines\b"),
)


def _hits(pattern: str, text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether `pattern` occurs; records the spans it covered (they count as understood words)."""
    found = False
    for m in re.finditer(pattern, text):
        spans.append(m.span())
        found = True
    return found


def _metric(text: str, intent: str, spans: list[tuple[int, int]]) -> tuple[str, str | None]:
    """(metric, note) by precedence: AOV, "how many X", explicit revenue words, units, orders, customers."""
    if _hits(_AOV, text, spans):
        return "aov", None
    if re.search(r"\bhow\s+many\b(?:\s+\w+)*?\s+(?:did|do|have|has|were|was)\s+(?:we|they|you|i)?\s*(?:sell|sold|buy|bought|ship|shipped)\b", text):
        spans += [m.span() for m in re.finditer(r"\bhow\s+many\b|\b(?:sell|sold)\b", text)]
        return "units", None  # "how many jumbo bags did we sell"
    m = re.search(_HOW_MANY, text)
    if m:
        spans.append(m.span())
        what = m.group("what")
        if re.fullmatch(r"orders?|invoices?|transactions?|purchases|baskets?", what):
            return "orders", None
        if re.fullmatch(r"customers?|buyers?|shoppers?|clients?|people", what):
            return "customers", None
        if re.fullmatch(r"returns?|refunds?|cancellations?", what):
            return "returns", None
        if re.fullmatch(r"units?|items?|products?|pieces|things|skus?", what):
            return "units", None
    if intent == "returns":
        if _hits(r"\bvalue\b|\brevenue\b|[£$€₹]|\bcost\b|\blost\b|\bmoney\b|\bworth\b", text, spans):
            return "revenue", "Returns measured by value (revenue of returned lines)."
        _hits(_UNITS, text, spans)
        return "returns", None
    if _hits(_REVENUE_STRONG, text, spans):
        return "revenue", None
    if _hits(_UNITS, text, spans):
        return "units", None
    if _hits(_ORDERS, text, spans):
        return "orders", None
    if _hits(_CUSTOMERS, text, spans):
        return "customers", None
    if _hits(_SALES_WEAK, text, spans):
        return "revenue", "'sales' read as revenue (net of returns)."
    return "revenue", None


def _group_by(text: str, intent: str, spans: list[tuple[int, int]]) -> str | None:
    # "how many items/products" and "items sold" are a measure, not a grouping
    probe = re.sub(r"(?:how\s+many|number\s+of)\s+(?:items|products|units)|(?:items|products)\s+sold", " ", text) \
        if intent in ("overview", "compare_periods", "trend") else text
    explicit = re.search(r"\b(?:by|per|each|every|across)\s+(?:the\s+)?(\w+(?:\s+of\s+(?:the\s+)?week)?)", probe)
    if explicit:
        for name, pattern in _GROUPS:
            if re.fullmatch(pattern, explicit.group(1)) or re.search(pattern, explicit.group(0)):
                spans.append(explicit.span())
                return name
    for name, pattern in _GROUPS:
        if _hits(pattern, probe, spans):
            if name in ("day", "week", "month", "quarter") and intent not in ("trend", "breakdown", "overview"):
                continue
            return name
    return None


def _intent(text: str, relation: str, entities: Entities, spans: list[tuple[int, int]]) -> str | None:
    if _hits(_WHY, text, spans):
        return "why_change"
    if _hits(_MOVERS, text, spans):
        return "movers"
    if _hits(_RETURNS, text, spans):
        return "returns"
    if _hits(_PATTERNS, text, spans):
        return "patterns"
    bottom = entities.order == "asc" or _hits(_BOTTOM, text, spans)
    top = entities.top_n is not None or _hits(_TOP, text, spans)
    if bottom:
        return "bottom_items"
    if top:
        return "top_items"
    if relation != "compare" and len(entities.countries) >= 2 and re.search(r"\bvs\b|versus|compar|against", text):
        _hits(r"\bvs\b|versus|compar\w*|against", text, spans)
        return "breakdown"  # "Germany vs France": one period, split by country
    if relation == "compare" or _hits(_COMPARE, text, spans):
        return "compare_periods"
    if _hits(_TREND, text, spans):
        return "trend"
    if _hits(_BREAKDOWN, text, spans):
        return "breakdown"
    if _hits(_OVERVIEW, text, spans):
        return "overview"
    return None


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        for i in range(a, min(b, len(chars))):
            chars[i] = " "
    return "".join(chars)


FUNCTION_WORDS = frozenset("""
a an the of in on at for to from by with and or me my our we us i you your is are was were be been do does
did what which who when where how show give list tell find get see display please can could would should
will it its their there this that these those than then so as into about much many have has had all any
per over under let lets let's i'd i'm we've same just only also vs versus did doing
""".split())  # noqa: SIM905  (a word list reads best as text)


def _understood(text: str, spans: list[tuple[int, int]]) -> float:
    """Share of the question's meaningful words (not function words) that some rule read."""
    words = [w for w in re.finditer(r"[a-z0-9£$€₹%'-]+", text) if w.group(0) not in FUNCTION_WORDS]
    if not words:
        return 0.5
    ok = sum(1 for w in words if any(a <= w.start() and w.end() <= b for a, b in spans))
    return ok / len(words)


def compare_hint(text: str) -> bool:
    """Whether the question compares periods (so "from Oct to Nov" means Oct vs Nov). "vs" alone is left to
    the period parser: "Germany vs France" compares countries, not periods."""
    words = re.sub(r"\bvs\b|\bversus\b|\bagainst\b", " ", _periods.normalise(text))
    return bool(re.search(_WHY + "|" + _MOVERS + "|" + _COMPARE, words))


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
    """Day for up to a month, week up to ~6 months, month beyond."""
    if not periods:
        return "week"
    days = (periods[0].end - periods[0].start).days + 1
    return "day" if days <= 31 else "week" if days <= 185 else "month"


def offline_plan(question: str, vocab: Vocab, *, mode: str = "quick") -> Plan:
    """Parse a question with rules only: intent, metric, grouping, periods, filters, N, thresholds."""
    question = check_question(question)
    spans: list[tuple[int, int]] = []
    pr = resolve_question_periods(question, vocab, compare=compare_hint(question))
    spans += pr.consumed
    text = _blank(pr.text, pr.consumed)
    original = _blank(pr.original, pr.consumed)
    ents = find_entities(text, original, vocab)
    spans += ents.consumed
    text = _blank(text, ents.consumed)

    _hits(r"\bexclud\w*|\bexcept\b|\bwithout\b|\bexcl\b|\bother\s+than\b|\bapart\s+from\b|\boutside\b", text, spans)
    intent = _intent(text, pr.relation, ents, spans)
    notes = list(pr.notes)
    measured = re.search("|".join((_REVENUE_STRONG, _UNITS, _ORDERS, _CUSTOMERS, _SALES_WEAK, _AOV, _RETURNS)), text)
    if intent == "overview" and not (measured or pr.consumed or ents.consumed):
        intent = None  # "what is the weather": nothing about sales was asked
    if intent is None:
        intent = "overview" if (pr.consumed or ents.consumed or measured) else "unknown"
        if intent == "overview":
            notes.append("Question read as an overview of the headline numbers.")
    metric, metric_note = _metric(text, intent, spans)
    if metric_note:
        notes.append(metric_note)
    group_by = _group_by(text, intent, spans)
    if intent in ("top_items", "bottom_items", "movers") and group_by in (None, "day", "week", "month", "quarter"):
        group_by = "product"
    elif intent == "patterns" and group_by not in ("weekday", "hour"):
        group_by = "hour" if re.search(r"\bhour|time", text) else "weekday"
    elif intent == "returns" and group_by is None and (ents.top_n or re.search(_TOP + r"|\bwhich\b|\bwhat\b", text)):
        group_by = "product"
    elif intent == "breakdown" and group_by is None:
        group_by = "country"
    elif intent == "overview" and group_by in ("day", "week", "month", "quarter"):
        intent = "trend"
    elif intent == "overview" and group_by is not None:
        intent = "breakdown"
    elif intent == "compare_periods" and group_by in ("product", "sku", "country", "category", "channel",
                                                      "marketplace"):
        intent = "movers"  # a change per group is a movers table

    top_n = ents.top_n
    if top_n is None and intent in ("top_items", "bottom_items") and re.search(
            r"\bwhich\s+(?:single\s+)?(?:country|product|item|sku|category|channel|marketplace|customer)\b(?!s)", text):
        top_n = 1  # "which country had the highest AOV": one answer (the table still leads with it)
    order = ents.order or ("asc" if intent == "bottom_items" else "desc")
    if intent == "movers" and re.search(_FALLERS, text):
        order = "asc"  # fallers first
        spans += [m.span() for m in re.finditer(_FALLERS, text)]
    periods = list(pr.periods)
    if intent in ("compare_periods", "why_change", "movers") and len(periods) < 2 and vocab.has_sales:
        again = resolve_question_periods(question, vocab, compare=True)
        if len(again.periods) == 2:
            periods, notes = again.periods, [*again.notes, *notes[len(pr.notes):]]
    if not periods:
        periods, more = default_periods(intent, vocab)
        notes += more
    if intent == "trend" and group_by not in ("day", "week", "month", "quarter"):
        group_by = trend_grain(periods)
        notes.append(f"Trend shown by {group_by}.")
    notes += ents.notes
    if metric == "revenue":
        notes.append("Revenue is net: returns and cancellations subtract.")

    frac = _understood(pr.text, spans)
    confidence = 0.3 + 0.65 * frac
    if intent == "unknown":
        confidence = min(confidence, 0.25)
    return Plan(
        intent=intent,  # type: ignore[arg-type]
        agents=agents_for(intent, mode), metric=metric, periods=periods[:2], group_by=group_by,  # type: ignore[arg-type]
        filters=Filters(countries=ents.countries, exclude_countries=ents.exclude_countries, skus=ents.skus[:100],
                        products=ents.products[:20], categories=ents.categories[:20],
                        marketplaces=ents.marketplaces[:20], channels=ents.channels[:20]),
        top_n=top_n or 10, order=order,  # type: ignore[arg-type]
        thresholds=ents.thresholds, mode=mode, planner="offline",  # type: ignore[arg-type]
        confidence=round(min(confidence, 0.95), 2), notes=_dedupe(notes)[:20])


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    return [x for x in items if not (x in seen or seen.add(x))]  # type: ignore[func-returns-value]


