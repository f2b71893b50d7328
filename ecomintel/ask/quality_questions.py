"""Reading data-quality questions: "how good is our data?", "what's wrong with the reviews file?", "any problems
with the sales data?", "data quality score".

Why its own reading (ask/domains.py, listed before the reviews domain): "what's wrong with the reviews file"
names reviews and "problems", and the review rules would answer it with customer complaints. A question is
ours when it is about the *data* (a file, the data, its quality, completeness, duplicates, gaps) rather
than about what the data says. The datasets it names narrow the answer (plan.thresholds `focus_<dataset>`,
read by agents/data_qa.py); a named dataset that is not loaded is said so by the agent.
A period in the question ("any data problems in november?", "is the data for Q4 complete?") is resolved like
any other (anchored to the sales dates, else the review dates) and goes into plan.periods: the agent scopes the
period-sensitive checks to it and labels the dataset scores as all-data. A period outside the data is an
honest refusal, never the all-data answer under a period it did not use.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ecomintel.ask.periods import resolve_periods
from ecomintel.ask.plan import INTENT_AGENTS, Gap, Period, Plan
from ecomintel.ask.understanding import Spans, plan_confidence, understood_share, unused_words
from ecomintel.errors import PlanError

if TYPE_CHECKING:
    from ecomintel.ask.domains import DomainQuestion

DATA = r"(?:data(?:set|base)?s?|files?|uploads?|imports?|feeds?|records|tables?|csvs?|spreadsheets?)"
DATASET_WORDS: tuple[tuple[str, str], ...] = (
    ("sales", r"\bsales\b|\borders?\b|\btransactions?\b|\binvoices?\b|\bsales\s+lines\b"),
    ("products", r"\bproducts?\b|\bcatalog(?:ue)?s?\b"),
    ("listings", r"\blistings?\b|\bcompetitor\s+prices\b"),
    ("reviews", r"\breviews?\b"),
)
QUALITY = (r"\bdata[- ]quality\b|\bquality\s+(?:of\s+(?:the\s+|our\s+|my\s+)?(?:\w+\s+)?" + DATA + r"|scores?|checks?"
           r"|report|issues?|problems?)\b|\bdq\s+score\b"
           r"|\bhow\s+(?:good|clean|reliable|complete|trustworthy|bad|accurate)\s+(?:is|are)\s+(?:the\s+|our\s+|my\s+)?"
           r"(?:[\w']+\s+)?" + DATA + r"\b"
           r"|\b(?:is|are)\s+(?:the\s+|our\s+|my\s+)?(?:[\w']+\s+)?" + DATA + r"\b(?:\s+[\w']+){0,4}?\s+"
           r"(?:complete|reliable|accurate|correct|trustworthy|clean|ok|okay|usable)\b"
           r"|\b(?:wrong|problems?|issues?|errors?|bad|broken|off)\s+(?:with|in)\s+(?:the\s+|our\s+|my\s+|this\s+)?"
           r"(?:\w+\s+)?" + DATA + r"\b"
           r"|\b(?:wrong|problems?|issues?|errors?)\s+with\s+(?:the\s+|our\s+|my\s+)?(?:competitor\s+)?listings?\b"
           r"|\b(?:can\s+(?:we|i)\s+trust|trust\s+(?:in\s+)?)\s*(?:the\s+|our\s+|my\s+)?(?:\w+\s+)?" + DATA + r"\b"
           r"|\b" + DATA + r"\s+(?:quality|problems?|issues?|errors?|gaps?|completeness|health|hygiene)\b"
           r"|\b(?:missing|empty|incomplete|blank|null)\s+(?:values|fields|cells|columns|data)\b|\bcompleteness\b"
           # a field's values missing ("missing customer ids", "blank prices", "null dates"): about the data
           r"|\b(?:missing|empty|blank|null|absent)\s+(?:customer\s+|product\s+|order\s+|invoice\s+)?"
           r"(?:ids?|numbers|codes|skus?|prices|dates|names|descriptions|countries|categor(?:y|ies)|ratings|texts?)\b"
           # duplicated rows in any wording ("dupes", "duplicated orders", "double-counted lines")
           r"|\b(?:dupes?|dups|duplicat(?:es?|ed|ion|ions)|double[- ]counted|deduplicat\w*)\b"
           r"|\brejected\s+rows\b|\bdirty\s+data\b"
           r"|\boutliers?\s+in\s+(?:the\s+|our\s+)?(?:\w+\s+)?" + DATA + r"\b|\bgaps?\s+in\s+(?:the\s+|our\s+)?(?:\w+\s+)?"
           + DATA + r"\b")
DOMAIN_PATTERN = QUALITY
# The checks a question asks about by name (plan.thresholds `check_<name>` = 1): the answer leads with them.
ASKED_CHECKS: tuple[tuple[str, str], ...] = (
    ("missing_values", r"\b(?:missing|empty|blank|null|absent|incomplete)\b|\bcompleteness\b"),
    ("duplicate_rows", r"\b(?:dupes?|dups|duplicat\w*|double[- ]counted|deduplicat\w*)\b"),
    ("rejected_rows", r"\brejected\b|\brejects\b"),
    ("gap_days", r"\bgaps?\b|\bmissing\s+days\b"),
    ("price_outliers", r"\boutliers?\b|\banomal\w*"),
)
FILLER = (r"\bhow\b|\bwhat\b|\bwhat's\b|\bwhats\b|\bis\b|\bare\b|\bthe\b|\bour\b|\bmy\b|\bthis\b|\bwith\b|\bin\b"
          r"|\bany\b|\bthere\b|\bshow\b|\bme\b|\bgive\b|\bcheck\b|\bdo\b|\bwe\b|\bhave\b|\bsome\b|\bof\b|\bfor\b"
          r"|\ball\b|\boverall\b|\bour\b|\bpls\b|\bplease\b|\bcan\b|\bi\b|\byou\b|\btell\b|\bhey\b|\bso\b"
          r"|\bfar\b|\breally\b|\bthat\b|\bit\b|\bwhere\b|\bwhich\b|\blist\b|\bsummary\b|\bright\b|\bnow\b"
          r"|\bdata\b|\bfiles?\b|\bquality\b|\bscores?\b|\bwrong\b|\bproblems?\b|\bissues?\b|\bgood\b|\bclean\b"
          r"|\bmissing\b|\bempty\b|\bblank\b|\bnull\b|\bids?\b|\bcustomers?\b|\bfields?\b|\bvalues?\b|\bcolumns?\b"
          r"|\bdupes?\b|\bduplicat\w*|\bimport\w*|\bload\w*|\bupload\w*|\bgot\b|\bhas\b|\bhow\s+many\b|\bmuch\b|\bmany\b|\bthere\s+are\b")


# The field a missing-values question names ("missing customer ids", "blank prices"): plan.thresholds
# `field_<column>` = 1, so the answer lists that column's issues, not every column's.
FIELD_WORDS: tuple[tuple[str, str], ...] = (
    ("customer_id", r"\bcustomer\s*(?:ids?|numbers?|codes?)\b|\bcust\s+ids?\b"),
    ("order_id", r"\b(?:order|invoice)\s*(?:ids?|numbers?|nos?)\b"),
    ("sku", r"\bskus?\b|\bstock\s*codes?\b|\bproduct\s+codes?\b"),
    ("product_name", r"\bproduct\s+names?\b|\bdescriptions?\b"),
    ("price", r"\b(?:unit\s+)?prices?\b"),
    ("category", r"\bcategor(?:y|ies)\b"),
    ("country", r"\bcountr(?:y|ies)\b"),
    ("rating", r"\bratings?\b|\bstars?\b"),
    ("text", r"\b(?:review\s+)?texts?\b"),
    ("sold_at", r"\bdates?\b"),
    ("created_at", r"\bdates?\b"),
)


def _spans(pattern: str, text: str) -> Spans:
    return [m.span() for m in re.finditer(pattern, text)]


def plan_quality_question(q: DomainQuestion) -> Plan | None:
    """A `data_quality` Plan for a question about the data itself; a cannot_answer Plan without any data."""
    text = q.text
    if not re.search(QUALITY, text):
        return None
    if not q.vocab.has("sales") and not any(q.vocab.datasets.get(d, 0) for d in ("products", "reviews",
                                                                                    "listings")):
        return Plan(intent="cannot_answer", agents=[], mode=q.mode, planner="offline", confidence=0.9,  # type: ignore[arg-type]
                    gap=Gap(need="sales", message="No data is loaded yet, so there is no data quality to report. "
                            "Upload sales, products or reviews (Upload page) and ask again.",
                            suggestions=["how good is our data?"]))
    spans = _spans(QUALITY, text)
    focus = []
    for name, rx in DATASET_WORDS:
        found = _spans(rx, text)
        if found:
            focus.append(name)
            spans += found
    read = _periods(q)
    if isinstance(read, Gap):
        return Plan(intent="cannot_answer", agents=[], mode=q.mode, planner="offline", confidence=0.9,  # type: ignore[arg-type]
                    gap=read)
    periods, period_spans, notes = read
    spans += period_spans + _spans(FILLER, text)
    unused = [w.text for w in unused_words(text, spans)]
    confidence = plan_confidence(understood_share(text, spans), len(unused), [], fallback=False)
    thresholds = {f"focus_{d}": 1.0 for d in focus}
    thresholds.update({f"check_{name}": 1.0 for name, rx in ASKED_CHECKS if re.search(rx, text)})
    if "check_missing_values" in thresholds:
        thresholds.update({f"field_{name}": 1.0 for name, rx in FIELD_WORDS if re.search(rx, text)})
    return Plan(intent="data_quality", agents=list(INTENT_AGENTS["data_quality"]), mode=q.mode,  # type: ignore[arg-type]
                planner="offline", thresholds=thresholds, confidence=confidence,
                periods=periods, notes=notes[:20], not_understood=unused[:20])


def _periods(q: DomainQuestion) -> tuple[list[Period], Spans, list[str]] | Gap:
    """The question's period(s), anchored to the sales dates (the period-sensitive checks are on sales), else
    the review dates; none when no dated data is loaded (the words then stay unread and are listed as such).
    A period outside the data is a Gap: the all-data scores would silently answer another question."""
    vocab = q.vocab
    start, end = (vocab.sales_start, vocab.sales_end) if vocab.has_sales else (vocab.review_start, vocab.review_end)
    if start is None or end is None:
        return [], [], []
    try:
        pr = resolve_periods(q.text, data_start=start, data_end=end, compare=False)
    except PlanError as exc:
        return Gap(need="sales" if vocab.has_sales else "reviews",
                   message=(f"{exc.message} Without a period, 'how good is our data?' gives the data-quality "
                            "scores of all the data.")[:400],
                   suggestions=["how good is our data?", "any problems with the sales data?"])
    return list(pr.periods), list(pr.consumed), list(pr.notes)
