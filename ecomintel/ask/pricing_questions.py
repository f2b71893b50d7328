"""Reading pricing questions: price position against competitors, price changes, promotions, elasticity and
price recommendations — with the threshold ("more than 5%"), the side (above / below / undercut), periods,
products, categories and marketplaces.

Why its own reading: "more than 5%" here is a price gap or a price change, not a revenue filter, and
"undercut" means competitors are cheaper than us (our price above the market). Questions that need
competitor prices become an honest cannot_answer (the ask/gaps.py "listings" row) when the tenant has no
listings; our own price changes and elasticity come from the sales lines and are answered for a sales-only
tenant. "Average selling price" and "unit price" questions are sales metrics and are left to the sales rules.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ecomintel.ask import gaps
from ecomintel.ask.entities import find_entities
from ecomintel.ask.periods import resolve_periods
from ecomintel.ask.plan import Filters, Gap, Plan
from ecomintel.ask.understanding import Spans, plan_confidence, understood_share, unused_words
from ecomintel.errors import PlanError

if TYPE_CHECKING:
    from ecomintel.ask.domains import DomainQuestion

COMPETITOR = (r"\bcompetit\w*|\brivals?\b|\bother\s+sellers?\b|\bundercut\w*|\bthe\s+market\b|\bmarket\s+prices?\b"
              r"|\bprice\s+(?:gaps?|position\w*|index|benchmark\w*)|\bmore\s+expensive\b|\bless\s+expensive\b"
              r"|\bpricier\b|\bcheaper\b|\boverpriced\b|\bunderpriced\b|\bbuy\s*box\b|\bprice\s+war\b"
              # our prices set against someone else's ("how do our prices compare to X", "prices vs other
              # shops", "price comparison"): a comparison with a period ("prices in oct vs nov") is a change
              r"|\bprices?\s+(?:compare[ds]?|comparison|stack\s+up|vs\.?|versus|against|relative\s+to)\b(?!\s+(?:to\s+|with\s+"
              r"|against\s+)?(?:the\s+)?(?:last\b|this\b|previous\b|prior\b|before\b|\d|(?:jan|feb|mar|apr|may|jun|jul|aug"
              r"|sep|oct|nov|dec)\w*\b|q[1-4]\b))"
              r"|\bcompar\w*\s+(?:our\s+|my\s+)?(?:\w+\s+)?prices?\s+(?:to|with|against)\b|\bprice\s+comparisons?\b")
RECOMMEND = (r"\bwhat\s+price\s+should\b|\b(?:recommend\w*|suggest\w*|optimal|optimum|best)\s+(?:new\s+)?prices?\b"
             r"|\bprices?\s+(?:recommendation|suggestion)s?\b|\bprices?\s+should\s+we\b"
             r"|\bshould\s+we\s+(?:raise|lower|increase|cut|drop|reduce)\b|\bwhat\s+(?:should\s+we\s+)?charge\b"
             r"|\bcharge\s+for\b|\b(?:raise|lower)\s+(?:the\s+)?prices?\b|\breprice\s+to\b|\bmargin\s+floor\b"
             r"|\bnew\s+prices\b|\bprices?\s+to\s+(?:set|charge)\b")
ELASTICITY = (r"\belastic\w*|\bprice[- ]sensitiv\w*|\bsensitiv\w*\s+to\s+price|\bprice\s+sensitive\b"
              r"|\bdemand\s+(?:respond|react)\w*\s+to\s+price|\bprice\s+response\b")
PROMOTION = (r"\bpromo\w*|\bdiscount\w*|\bon\s+sale\b|\bdeals?\b|\bclearance\b|\bbundles?\b|\bmark\s*downs?\b"
             r"|\b\d+\s*%\s*off\b|\blist\s+price\b|\bstrike[- ]?through\b")
CHANGE = (r"\breprice\w*|\bre-price\w*|\bprices?\s+(?:changes?|changed|increases?|increased|rises?|rose|drops?|dropped"
          r"|cuts?|moves?|moved|history|hikes?|reductions?)\b|\bchang\w*\s+(?:the\s+|its\s+|their\s+|our\s+)?prices?\b"
          r"|\b(?:raised|lowered|increased|cut|reduced|dropped)\s+(?:the\s+|its\s+|their\s+|our\s+)?prices?\b"
          r"|\bprice\s+of\s+.{1,60}?\bchange\w*|\bprice\s+(?:went|go)\s+(?:up|down)\b")
PRICING = "|".join((COMPETITOR, RECOMMEND, ELASTICITY, PROMOTION, CHANGE, r"\bprice\w*|\bpricing\b"))
SALES_METRIC = r"\b(?:average|avg|mean)\s+(?:selling|sale|sales|unit)\s+prices?\b|\basp\b|\bunit\s+prices?\b"

ABOVE = r"\babove\b|\bmore\s+expensive\b|\bpricier\b|\boverpriced\b|\bhigher\s+than\b|\bundercut\w*" \
        r"|\b(?:competitors?|rivals?|they)\s+(?:are\s+)?cheaper\b"
BELOW = r"\bbelow\b|\bunderpriced\b|\bless\s+expensive\b|\blower\s+than\b|\b(?:we\s+are|we're|are\s+we)\s+cheaper\b"
STRUCTURE = (r"\bprices?\b|\bpriced\b|\bpricing\b|\bproducts?\b|\bitems?\b|\bskus?\b|\bours?\b|\bthe\s+market\b"
             r"|\bby\s+category\b|\bcategor\w*|\bmarketplaces?\b|\bsellers?\b|\blistings?\b|\bcompar\w*|\bvs\b"
             r"|\bhow\b|\bdo\b|\bwhere\b|\bwhich\b|\bshow\b|\bhave\b|\bhad\b|\bwithout\b|\bbreaking\b|\bwithin\b"
             r"|\bmargins?\b|\bdemand\b|\bdeep\b|\bnew\b|\bcharge\b|\bcompetition\b|\bdid\b|\bchanges?\b|\bchanged\b"
             r"|\bstores?\b|\bshops?\b|\bmarket\b|\bwe\b|\bour\b|\bare\b|\bcheaper\b|\bthan\b|\bover\b|\bpercent\b"
             r"|\bprice[- ]sensitive\b|\bsensitive\b|\bsensitivity\b|\bbest\b|\bcurrent\w*|\bagainst\b|\bstack\s+up\b"
             r"|\bversus\b|\brelative\s+to\b")


def _spans(pattern: str, text: str) -> Spans:
    return [m.span() for m in re.finditer(pattern, text)]


def _intent(text: str) -> str | None:
    if re.search(gaps.MARKET, text) and not re.search(r"\bpric\w*", text):
        return None  # "how are competitors' sales doing": market data, not prices (the sales rules refuse it)
    if re.search(SALES_METRIC, text) and not re.search("|".join((COMPETITOR, RECOMMEND, ELASTICITY, CHANGE)), text):
        return None
    if re.search(ELASTICITY, text):
        return "elasticity"
    if re.search(RECOMMEND, text):
        return "price_recommendations"
    if re.search(PROMOTION, text):
        return "promotions"
    if re.search(CHANGE, text) or (re.search(r"\bprices?\b", text) and re.search(r"\bchang\w*|\bmov\w*", text)):
        return "price_changes"
    if re.search(COMPETITOR, text):
        return "price_position"
    return None


def _listings_gap(q: DomainQuestion) -> Plan:
    req = next(r for r in gaps.REQUIREMENTS if r.need == "listings")
    return Plan(intent="cannot_answer", agents=[], mode=q.mode, planner="offline", confidence=0.9,  # type: ignore[arg-type]
                gap=gaps.gap_for(req, q.vocab))


def plan(q: DomainQuestion) -> Plan | None:
    """A pricing Plan, a cannot_answer Plan for competitor questions without listings, or None."""
    text, vocab = q.text, q.vocab
    intent = _intent(text)
    if intent is None:
        return None
    competitor = bool(re.search(COMPETITOR, text))
    has_listings, has_sales = vocab.has("listings"), vocab.has_sales
    if intent == "price_position" and not has_listings:
        return _listings_gap(q)
    if intent == "price_changes" and competitor and not has_listings:
        return _listings_gap(q)
    if intent == "price_changes" and not has_sales and not has_listings:
        return None
    if intent == "elasticity" and not has_sales:
        return None
    if intent == "promotions" and not (vocab.has("products") or has_listings):
        return None
    if intent == "price_recommendations" and competitor and not has_listings:
        return _listings_gap(q)
    if intent == "price_recommendations" and not (has_sales or vocab.has("products")):
        return None
    spans: Spans = []
    notes: list[str] = []
    periods = []
    compare = intent == "price_changes" and bool(re.search(r"\bbetween\b.+\band\b|\bfrom\b.+\bto\b|\bvs\.?\b"
                                                           r"|\bversus\b|\bcompared\s+(?:to|with)\b", text))
    base, original = text, q.question
    if has_sales and vocab.sales_start and vocab.sales_end:
        try:
            pr = resolve_periods(q.question, data_start=vocab.sales_start, data_end=vocab.sales_end, compare=compare)
        except PlanError as exc:
            return Plan(intent="cannot_answer", agents=[], mode=q.mode, planner="offline", confidence=0.8,  # type: ignore[arg-type]
                        gap=Gap(need="sales", message=f"{exc.message} {exc.hint}".strip()[:400],
                                     suggestions=gaps.suggestions(vocab)))
        periods = pr.periods[:2]
        notes += pr.notes
        spans += pr.consumed
        base, original = pr.text, pr.original
    working = _blank(base, spans)
    original = _blank(original, spans)
    try:
        ents = find_entities(working, original, vocab)
    except PlanError as exc:  # e.g. a SKU that is not in the data
        return Plan(intent="cannot_answer", agents=[], mode=q.mode, planner="offline", confidence=0.7,  # type: ignore[arg-type]
                    gap=Gap(need="not_understood", message=f"{exc.message} {exc.hint}".strip()[:400],
                                 suggestions=gaps.suggestions(vocab)))
    spans += ents.consumed
    thresholds: dict[str, float] = {}
    text = base  # positions from here on refer to the period parser's text (same length as the question)
    pct = ents.thresholds.get("min_pct")
    if pct is None:
        m = re.search(r"\b(?:by\s+)?(\d+(?:\.\d+)?)\s*(?:%|percent|per\s+cent|pct)", _blank(text, spans))
        if m:
            pct = float(m.group(1))
            spans.append(m.span())
    if pct is not None:
        key = "change_pct" if intent == "price_changes" else "gap_pct"
        if intent == "price_recommendations" and re.search(r"\bmargin\b", text):
            key = "min_margin_pct"
        thresholds[key] = pct
    if intent == "price_changes" and competitor:
        thresholds["competitors"] = 1.0  # the changes asked about are competitors'
    if intent in ("price_position", "price_recommendations"):
        if re.search(ABOVE, text):
            thresholds["side"] = 1.0
        elif re.search(BELOW, text):
            thresholds["side"] = -1.0
    for pattern in (COMPETITOR, RECOMMEND, ELASTICITY, PROMOTION, CHANGE, ABOVE, BELOW, STRUCTURE):
        spans += _spans(pattern, text)
    unused = [w.text for w in unused_words(text, spans)]
    confidence = plan_confidence(understood_share(text, spans), len(unused), notes, fallback=False)
    filters = Filters(skus=ents.skus[:100], exclude_skus=ents.exclude_skus[:100], products=ents.products[:20],
                      categories=ents.categories[:20], marketplaces=ents.marketplaces[:20],
                      countries=ents.countries[:50])
    return Plan(intent=intent, agents=["pricing"], periods=periods, filters=filters,  # type: ignore[arg-type]
                thresholds=thresholds, mode=q.mode, planner="offline", confidence=confidence,  # type: ignore[arg-type]
                notes=(notes + ents.notes)[:20], not_understood=unused[:20])


def _blank(text: str, spans: Spans) -> str:
    for a, b in spans:
        text = text[:a] + " " * (b - a) + text[b:]
    return text
