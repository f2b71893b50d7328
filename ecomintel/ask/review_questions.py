"""Reading review questions: sentiment, complaints, praise, aspects, feature requests, trends and spam.

Why its own reading (ask/domains.py): "what do customers complain about in dresses?" names no sales metric,
and the sales rules would answer it with a revenue overview. The words of a review question fall into a few
families — what is asked (complaints, wishes, aspects, worse/better, spam), how to split it (by category,
product, month), which part (a category, a product; resolved by `find_entities`), and when (resolved against
the *review* dates, not the sales dates). Every family is a table of word patterns here, not a rule per
sentence, so new phrasings of the same thing read the same way.
A tenant without reviews gets the sentence of ask/gaps.py ("it needs product reviews … Upload reviews"), also
for wordings that table does not know ("what do people want us to add?"); undated reviews and a period in the
question are an honest refusal too, since the period cannot be applied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from ecomintel.ask import gaps
from ecomintel.ask.entities import find_entities
from ecomintel.ask.periods import resolve_periods
from ecomintel.ask.plan import INTENT_AGENTS, Gap, Period, Plan
from ecomintel.ask.understanding import plan_confidence, understood_share, unused_words
from ecomintel.errors import PlanError

if TYPE_CHECKING:
    from ecomintel.ask.domains import DomainQuestion

Spans = list[tuple[int, int]]

# Words that make a question a review question (a superset of the reviews row of ask/gaps.py, so a review
# question is never left to the "analysis not available" refusal once reviews are loaded).
REVIEW_WORDS = (r"\breview\w*|\breviewers?\b|\bratings?\b|\brated\b|\bstars?\b|\bsentiment\w*|\bcomplain\w*"
                r"|\bfeedback\b|\bsatisf\w*|\bnps\b|\bopinions?\b|\bunhappy\b|\bfeature\s+requests?\b"
                r"|\b(?:customers?|people|ppl|folks|shoppers|buyers|users|clients|reviewers)\s+(?:say|said|saying|think|feel"
                r"|like|love|hate|dislike|want|wish|ask\w*|request\w*|mention\w*|complain\w*|praise)\b"
                r"|\bsaying\s+about\b|\bwant\s+us\s+to\b|\bwish(?:es)?\s+(?:we|you|they)\b|\bpain\s+points?\b"
                r"|\bspam\b|\bfake\s+reviews?\b")
DOMAIN_PATTERN = REVIEW_WORDS

INTENT_WORDS: tuple[tuple[str, str], ...] = (  # first family that matches wins
    ("review_spam", r"\bspam\w*|\bfake\b|\bsuspicious\b|\bbots?\b|\bflagged\b|\bgenuine\b|\bcopied\b"),
    ("review_requests", r"\bfeature\s+requests?\b|\brequests?\b|\brequest(?:ed|ing)\b|\bsuggestions?\b"
                        r"|\bsuggest\w*|\basking\s+(?:us\s+)?for\b|\bask(?:ing)?\s+us\b|\bwant\s+us\s+to\s+(?:add|make"
                        r"|offer|change|stock|sell|bring)\b|\bwish(?:es)?\s+(?:we|you|they|it)\s+(?:had|made|offered"
                        r"|sold|came|would)\b|\bwish(?:es|ed)?\b|\bwant\s+(?:more|added)\b|\bideas?\b"
                        r"|\b(?:would|to)\s+like\s+us\s+to\b|\bmissing\b"),
    ("review_trend", r"\bgot\s+worse\b|\bgetting\s+(?:better|worse)\b|\bworse\b|\bworsen\w*|\bdeclin\w*"
                     r"|\bdeteriorat\w*|\bdrop(?:ped|ping)?\b|\bimprov\w*|\bover\s+time\b|\btrend\w*|\bfall(?:ing|en)\b"
                     r"|\bris(?:ing|en)\b|\bdown\s+hill\b|\bgoing\s+down\b"),
    ("review_complaints", r"\bcomplain\w*|\bproblems?\b|\bissues?\b|\bpain\s+points?\b|\bdislike\w*|\bhate\w*"
                          r"|\bwrong\b|\b(?:1|one|2|two|low)[- ]stars?\b|\bnegative\s+(?:topics|themes)\b"
                          r"|\bunhappy\b|\bfrustrat\w*|\bannoy\w*|\bcriticis\w*|\bcomplaints?\b"),
    ("review_praise", r"\blove\w*|\blike\b|\bliked\b|\bpraise\w*|\bpositive\s+reviews\b|\benjoy\w*|\bhappy\s+with\b"
                      r"|\b(?:5|five)[- ]stars?\b|\bwhat\s+(?:is|are)\s+(?:good|great)\b"),
)
# Counting reviews by their stars ("how many 1-star reviews", "share of five star reviews", "rating
# distribution"): a count of ratings, not the complaints or praise that "1 star"/"5 star" otherwise ask about.
STARS = r"\b(?P<n>[1-5]|one|two|three|four|five)[- ]?(?:stars?|★)(?:\s+ratings?)?\b"
STAR_COUNT = (r"\bhow\s+many\b|\bnumber\s+of\b|\bcount\w*|\bshare\b|%|\bpercent\w*|\bproportion\b|\bfraction\b"
              r"|\bwhat\s+part\b|\bdistribution\b|\bbreakdown\b|\bsplit\b")
RATING_DISTRIBUTION = (r"\b(?:star|rating)s?\s+(?:distribution|breakdown|split|counts?|histogram|mix)\b"
                       r"|\b(?:distribution|breakdown|split|histogram|mix)\s+(?:of\s+)?(?:the\s+)?(?:star\s+)?ratings?\b"
                       r"|\b(?:by|per)\s+(?:star\s+)?(?:rating|stars?)\b|\bhow\s+many\s+(?:reviews\s+)?(?:per|at\s+each|for\s+each)"
                       r"\s+(?:star|rating)\b")
STAR_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
ASPECT_WORDS: tuple[tuple[str, str], ...] = (  # aspect names as in agents/review_aspects.py
    ("fit", r"\bfit(?:s|ting)?\b"),
    ("size", r"\bsiz(?:e|es|ing)\b"),
    ("length", r"\blength\b"),
    ("quality", r"\bquality\b|\bdurab\w*|\bworkmanship\b"),
    ("fabric / material", r"\bfabrics?\b|\bmaterials?\b"),
    ("colour", r"\bcolou?rs?\b|\bshades?\b"),
    ("comfort", r"\bcomfort\w*"),
    ("style / look", r"\bstyle\b|\bdesign\b|\blooks?\b"),
    ("price / value", r"\bprices?\b|\bpricing\b|\bvalue\s+for\s+money\b|\bvalue\b"),
    ("shipping / delivery", r"\bshipping\b|\bdelivery\b|\bpackaging\b"),
    ("washing / care", r"\bwash\w*\b"),
    ("customer service", r"\bcustomer\s+service\b|\bsupport\b"),
    ("battery / power", r"\bbattery\b|\bcharging\b"),
    ("sound", r"\bsound\b|\baudio\b"),
    ("taste / freshness", r"\btaste\b|\bflavou?rs?\b|\bfreshness\b"),
    ("smell", r"\bsmell\b|\bscent\b"),
)
ASPECT_ANY = r"\baspects?\b|\bfeatures?\b(?!\s+requests?)|\battributes?\b"
GROUPS: tuple[tuple[str, str], ...] = (
    ("category", r"\b(?:by|per|each|across|for\s+each|every)\s+(?:the\s+)?(?:categor(?:y|ies)|departments?|class(?:es)?"
                 r"|product\s+types?|ranges?)\b|\bcategories\b|\bwhich\s+categor(?:y|ies)\b|\bcategory\b"),
    ("product", r"\b(?:by|per|each|for\s+each|every)\s+(?:the\s+)?(?:products?|items?|skus?|styles?)\b"
                r"|\bwhich\s+(?:products?|items?|skus?)\b|\bproducts\s+(?:with|that|whose)\b"),
    ("month", r"\b(?:by|per|each)\s+month\b|\bmonthly\b|\bmonth\s+by\s+month\b"),
    ("week", r"\b(?:by|per|each)\s+week\b|\bweekly\b"),
    ("quarter", r"\b(?:by|per|each)\s+quarter\b|\bquarterly\b"),
    ("day", r"\b(?:by|per|each)\s+day\b|\bdaily\b"),
)
COMPARE_WORDS = (r"\bvs\.?\b|\bversus\b|\bcompared\b|\bthan\b|\bsince\b|\bbefore\b|\bprevious\b|\bprior\b"
                 r"|\bget\s+worse\b|\bgot\s+worse\b|\bworse\b|\bbetter\b|\bdrop\w*|\bdeclin\w*|\bimprov\w*")
ASC = r"\bworst\b|\blowest\b|\bmost\s+negative\b|\bleast\s+(?:liked|popular|positive)\b|\bpoorly\b|\bbad\w*\b"
DESC = r"\bbest\b|\bhighest\b|\bmost\s+positive\b|\bmost\s+liked\b|\btop\s+rated\b"
DISAGREE = (r"\b(?:does\s*n[o']?t|don'?t|do\s+not|not)\s+match\w*\b|\bmismatch\w*|\bdisagree\w*|\bcontradict\w*"
            r"|\binconsistent\b")
# Words a review question uses that carry no filter or intent of their own ("what do customers say …").
REVIEW_FILLER = (r"\bcustomers?\b|\bpeople\b|\bppl\b|\bshoppers\b|\bbuyers\b|\busers\b|\bclients\b|\bfolks\b|\bsay\w*\b"
                 r"|\bsaid\b|\bthink\w*\b|\bfeel\w*\b|\bmention\w*\b|\bleave\b|\bleft\b|\bwrit\w*\b|\btalk\w*\b"
                 r"|\bproducts?\b|\bitems?\b|\bmost\b|\bcommon\b|\bmain\b|\btop\b|\bbiggest\b|\bkey\b|\bmajor\b"
                 r"|\bshare\b|\bpercent\w*\b|\bnegative\b|\bpositive\b|\bneutral\b|\bscores?\b|\bavg\b|\baverage\b"
                 r"|\bmean\b|\boverall\b|\bhow\s+many\b|\bcount\b|\bnumber\b|\bgive\b|\bgave\b|\bget\b|\bgot\b"
                 r"|\bhave\b|\bhas\b|\bhad\b|\bbetter\b|\bor\b|\bthe\s+text\b|\btext\b|\bwords?\b|\bwant\w*\b"
                 r"|\badd\w*\b|\bus\b|\bwe\b|\bour\b|\bmake\b|\bmade\b|\bbe\b|\bgetting\b|\bgoing\b|\bgood\b|\bbad\b"
                 r"|\babout\b|\bregarding\b|\bwith\b|\bon\b|\bin\b|\bfor\b|\bof\b|\bwhy\b|\bany\b|\bsome\b"
                 r"|\bthings?\b|\bstuff\b|\btopics?\b|\bthemes?\b|\bvs\b|\bversus\b|\bbefore\b|\bprevious\b|\bago\b"
                 r"|\bthan\b|\bchange\w*\b|\bdid\b|\bbeen\b|\bexperience\w*\b")


@dataclass
class _Reading:
    spans: Spans = field(default_factory=list)

    def hit(self, pattern: str, text: str) -> list[re.Match[str]]:
        found = list(re.finditer(pattern, text))
        self.spans += [m.span() for m in found]
        return found


def _reviews_requirement() -> gaps.Requirement:
    return next(r for r in gaps.REQUIREMENTS if r.need == "reviews")


def _refusal(gap: Gap, mode: str, notes: list[str] | None = None) -> Plan:
    return Plan(intent="cannot_answer", agents=[], mode=mode, planner="offline", confidence=0.9,  # type: ignore[arg-type]
                gap=gap, notes=(notes or [])[:20])


def _blank(text: str, spans: Spans) -> str:
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def plan_review_question(q: DomainQuestion) -> Plan | None:
    """The Plan of a review question, a cannot_answer Plan when the tenant lacks what it needs, or None."""
    text, vocab = q.text, q.vocab
    if not re.search(REVIEW_WORDS, text):
        return None
    if not vocab.has("reviews"):
        return _refusal(gaps.gap_for(_reviews_requirement(), vocab), q.mode)
    rd = _Reading()
    rd.hit(REVIEW_WORDS, text)
    thresholds: dict[str, float] = {}
    stars = re.search(STARS, text)
    if rd.hit(RATING_DISTRIBUTION, text) or (stars and re.search(STAR_COUNT, text)):
        rd.hit(STAR_COUNT, text)
        thresholds["rating_distribution"] = 1.0
        if stars:
            rd.spans.append(stars.span())
            n = stars.group("n")
            thresholds["stars"] = float(STAR_NUMBERS.get(n) or int(n))
        intent: str | None = "review_sentiment"
    else:
        intent = next((name for name, rx in INTENT_WORDS if rd.hit(rx, text)), None)
    aspects = [name for name, rx in ASPECT_WORDS if rd.hit(rx, text)]
    any_aspect = bool(rd.hit(ASPECT_ANY, text))
    if (aspects or any_aspect) and intent in (None, "review_complaints", "review_praise"):
        intent = "review_aspects"
    group_by = None
    for name, rx in GROUPS:
        if rd.hit(rx, text) and group_by is None:
            group_by = name
    if intent == "review_trend" and group_by in ("category", "product"):
        group_by = None  # "which products' reviews got worse" ranks products by their change
    if intent == "review_requests" and group_by == "product":
        group_by = None
    order = "asc" if rd.hit(ASC, text) else "desc"
    rd.hit(DESC, text)
    disagreement = bool(rd.hit(DISAGREE, text))
    intent = intent or "review_sentiment"
    if group_by in ("month", "week", "quarter", "day") and intent == "review_sentiment":
        intent = "review_trend"
    notes: list[str] = []
    other = re.search(r"\b(departments?|class(?:es)?|product\s+types?|ranges?)\b", text) if group_by == "category" else None
    if other:  # reviews carry one product grouping: say which one answered "by department"
        notes.append(f"Read '{other.group(1)}' as the reviews' category (the one product grouping reviews carry).")
    periods, period_spans = _periods(q, rd, notes, compare=intent == "review_trend")
    if isinstance(periods, Gap):
        return _refusal(periods, q.mode)
    rd.spans += period_spans
    blanked = _blank(text, rd.spans)
    try:
        ents = find_entities(blanked, _blank(q.question, rd.spans), vocab)
    except PlanError as exc:
        return _refusal(Gap(need="not_understood", message=f"{exc.message} {exc.hint}".strip()[:400],
                            suggestions=_suggestions()), q.mode)
    rd.spans += ents.consumed
    rd.hit(REVIEW_FILLER, text)
    unused = [w.text for w in unused_words(text, rd.spans)]
    if ents.countries:
        notes.append("Reviews carry no country; the country filter was not applied.")
        unused += ents.countries
    notes += ents.notes
    if disagreement:
        notes.append("Rating-vs-text disagreement is part of the sentiment answer.")
    confidence = plan_confidence(understood_share(text, rd.spans), len(unused), notes, fallback=False)
    filters = {"categories": ents.categories, "skus": ents.skus, "products": ents.products}
    return Plan(intent=intent, agents=list(INTENT_AGENTS[intent]), mode=q.mode, planner="offline",  # type: ignore[arg-type]
                periods=periods, group_by=group_by, filters=filters, top_n=ents.top_n or 10,  # type: ignore[arg-type]
                order=order, aspects=aspects, confidence=confidence, notes=notes[:20],  # type: ignore[arg-type]
                thresholds=thresholds, not_understood=unused[:20])


def _periods(q: DomainQuestion, rd: _Reading, notes: list[str], *, compare: bool) -> tuple[list[Period] | Gap, Spans]:
    """Periods anchored to the review dates; a Gap when the question names a period the reviews cannot take."""
    vocab = q.vocab
    start, end = vocab.review_start, vocab.review_end
    if start is None or end is None:
        probe_end = vocab.sales_end or date.today()
        probe_start = vocab.sales_start or probe_end.replace(year=max(1, probe_end.year - 5))
        try:
            probe = resolve_periods(q.text, data_start=probe_start, data_end=probe_end, compare=False)
        except PlanError:
            probe = None
        if probe is not None and not probe.consumed:
            return [], []
        words = ", ".join(f"'{q.text[a:b]}'" for a, b in (probe.consumed if probe else [])[:3]) or "the period"
        return Gap(need="reviews", message=(f"Your reviews carry no dates, so {words} cannot be applied to them. "
                                            "Upload reviews with a date column, or ask without a period.")[:400],
                   suggestions=_suggestions()), []
    try:
        pr = resolve_periods(q.text, data_start=start, data_end=end, compare=False)
        if compare and pr.periods and re.search(COMPARE_WORDS, q.text):  # "worse last month vs the month before"
            pr = resolve_periods(q.text, data_start=start, data_end=end, compare=True)
    except PlanError as exc:
        return Gap(need="reviews", message=f"{exc.message} {exc.hint}".strip()[:400], suggestions=_suggestions()), []
    notes += [n.replace("your latest data date", "your latest review date") for n in pr.notes]
    return list(pr.periods), list(pr.consumed)


def _suggestions() -> list[str]:
    return ["what do customers complain about?", "sentiment by category", "what do people want us to add?"]
