"""Question domains beyond sales (pricing, reviews, forecasts, data quality): the one table planners consult
before the sales rules.

Why a table: each new agent brings its own way of reading a question (a price-gap threshold, an aspect, a
horizon) that the sales rules know nothing about. A domain is one row here and one module
`ask/<domain>_questions.py` holding its `plan` function; the offline planner and `make_plan` ask every
domain in table order, and the first that returns a Plan wins. A domain returns None when the question is
not its own, or when the tenant lacks the data it needs, so the question falls through to the sales rules
and to `ask/gaps.py`, which says honestly what is missing.

A domain's `plan` receives the question already checked and typo-fixed, and its normalised text; it
resolves periods and entities itself (with `offline_planner.resolve_question_periods` and
`entities.find_entities`) because a forecast's future period or a review's aspect is not a sales reading.
It must account for the words it did not use (`understanding.unused_words`) and put them in
`Plan.not_understood`, like the sales rules do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ecomintel.ask.forecast_questions import PATTERN as FORECAST_PATTERN
from ecomintel.ask.forecast_questions import plan as plan_forecast_question
from ecomintel.ask.plan import Plan
from ecomintel.ask.pricing_questions import PRICING as PRICING_PATTERN
from ecomintel.ask.pricing_questions import plan as plan_pricing_question
from ecomintel.ask.quality_questions import DOMAIN_PATTERN as QUALITY_PATTERN
from ecomintel.ask.quality_questions import plan_quality_question
from ecomintel.ask.review_questions import DOMAIN_PATTERN as REVIEW_PATTERN
from ecomintel.ask.review_questions import plan_review_question
from ecomintel.db.vocab import Vocab


@dataclass(frozen=True)
class DomainQuestion:
    """What a domain reads: the question as typed (checked, typos fixed), its normalised text, the tenant's
    vocabulary and the mode."""

    question: str
    text: str  # periods.normalise(question): lower case, plain quotes, same length as `question`
    vocab: Vocab
    mode: str


@dataclass(frozen=True)
class Domain:
    """A question domain: `pattern` (on the normalised text) says the question may be its own; `plan` reads
    it, or returns None to let the next domain and then the sales rules read it."""

    name: str
    pattern: str
    plan: Callable[[DomainQuestion], Plan | None]


DOMAINS: tuple[Domain, ...] = (
    Domain("data_quality", QUALITY_PATTERN, plan_quality_question),  # before reviews: "what's wrong with the reviews file"
    Domain("forecasts", FORECAST_PATTERN, plan_forecast_question),  # future periods, seasonality, stockouts
    Domain("reviews", REVIEW_PATTERN, plan_review_question),
    Domain("pricing", PRICING_PATTERN, plan_pricing_question),
)


def domain_plan(question: DomainQuestion, domains: tuple[Domain, ...] = DOMAINS) -> Plan | None:
    """The plan of the first domain that claims the question, or None (the sales rules read it)."""
    for domain in domains:
        if re.search(domain.pattern, question.text):
            plan = domain.plan(question)
            if plan is not None:
                return plan
    return None
