"""Review questions as analysts type them, routed to the review intents (ask/review_questions.py), written before
the rules; sales questions stay sales; a tenant without reviews gets the honest cannot_answer of ask/gaps.py."""

from __future__ import annotations

from datetime import date

import pytest

from ecomintel.ask.domains import DomainQuestion
from ecomintel.ask.offline_planner import offline_plan
from ecomintel.ask.periods import normalise
from ecomintel.ask.review_questions import plan_review_question
from ecomintel.db.vocab import Vocab

VOCAB = Vocab(sales_start=date(2011, 9, 1), sales_end=date(2011, 12, 9), countries=("United Kingdom", "France"),
              main_country="United Kingdom", catalogue={"85123A": "WHITE HANGING HEART T-LIGHT HOLDER"},
              categories=("Blouses", "Dresses", "Jackets", "Knits", "Pants", "Sweaters"),
              datasets={"reviews": 3000, "products": 10}, review_start=date(2023, 1, 3),
              review_end=date(2024, 6, 28))
UNDATED = Vocab(sales_start=date(2011, 9, 1), sales_end=date(2011, 12, 9), categories=("Dresses", "Knits"),
                datasets={"reviews": 3000})
NO_REVIEWS = Vocab(sales_start=date(2011, 9, 1), sales_end=date(2011, 12, 9), countries=("United Kingdom",),
                   main_country="United Kingdom", datasets={"products": 10})

# (question, intent, categories, aspects, group_by)
QUESTIONS = [
    # complaints
    ("what do customers complain about in dresses?", "review_complaints", ["Dresses"], [], None),
    ("top complaints", "review_complaints", [], [], None),
    ("main problems customers mention with jackets", "review_complaints", ["Jackets"], [], None),
    ("why do people leave 1 star reviews", "review_complaints", [], [], None),
    # counts by star rating (not complaints/praise): thresholds checked in test_sentiment_agent.py
    ("what % of our reviews are 2-star", "review_sentiment", [], [], None),
    ("star rating breakdown for knits", "review_sentiment", ["Knits"], [], None),
    ("common issues in negative reviews", "review_complaints", [], [], None),
    ("what do customers dislike about knits", "review_complaints", ["Knits"], [], None),
    ("biggest pain points in reviews", "review_complaints", [], [], None),
    # praise
    ("what do customers love about sweaters?", "review_praise", ["Sweaters"], [], None),
    ("what do people like in positive reviews", "review_praise", [], [], None),
    # requests
    ("what do people want us to add?", "review_requests", [], [], None),
    ("feature requests from reviews", "review_requests", [], [], None),
    ("what are customers asking for", "review_requests", [], [], None),
    ("any suggestions in the reviews?", "review_requests", [], [], None),
    ("what do customers wish we had", "review_requests", [], [], None),
    ("what colours do customers request for blouses", "review_requests", ["Blouses"], ["colour"], None),
    # aspects
    ("how do customers feel about the fit?", "review_aspects", [], ["fit"], None),
    ("sizing sentiment for dresses", "review_aspects", ["Dresses"], ["size"], None),
    ("what do reviews say about quality", "review_aspects", [], ["quality"], None),
    ("is shipping a problem in reviews?", "review_aspects", [], ["shipping / delivery"], None),
    ("aspect sentiment by category", "review_aspects", [], [], "category"),
    ("what do reviewers think of the fabric on pants", "review_aspects", ["Pants"], ["fabric / material"], None),
    # trend
    ("which products' reviews got worse?", "review_trend", [], [], None),
    ("products with declining reviews", "review_trend", [], [], None),
    ("is sentiment getting better or worse", "review_trend", [], [], None),
    ("review sentiment over time for dresses", "review_trend", ["Dresses"], [], None),
    ("sentiment trend by month", "review_trend", [], [], "month"),
    # sentiment
    ("sentiment by category last quarter", "review_sentiment", [], [], "category"),
    ("how do customers feel about our products?", "review_sentiment", [], [], None),
    ("what's the review sentiment for dresses", "review_sentiment", ["Dresses"], [], None),
    ("share of negative reviews by product", "review_sentiment", [], [], "product"),
    ("avg sentiment per category", "review_sentiment", [], [], "category"),
    ("which products have the worst reviews?", "review_sentiment", [], [], "product"),
    ("best reviewed categories", "review_sentiment", [], [], "category"),
    ("average rating by category", "review_sentiment", [], [], "category"),
    ("reviews where the rating doesn't match the text", "review_sentiment", [], [], None),
    ("customer satisfaction in knits", "review_sentiment", ["Knits"], [], None),
    # spam
    ("how many reviews are spam?", "review_spam", [], [], None),
    ("show me fake reviews", "review_spam", [], [], None),
    ("suspicious reviews", "review_spam", [], [], None),
]


def _plan(question: str, vocab: Vocab = VOCAB):  # type: ignore[no-untyped-def]
    return plan_review_question(DomainQuestion(question, normalise(question), vocab, "quick"))


@pytest.mark.parametrize(("question", "intent", "categories", "aspects", "group_by"), QUESTIONS)
def test_review_questions_route_to_their_intent(question: str, intent: str, categories: list[str],
                                                aspects: list[str], group_by: str | None) -> None:
    plan = _plan(question)
    assert plan is not None, question
    assert plan.intent == intent, (question, plan.intent)
    assert plan.agents == ["sentiment"]
    assert plan.filters.categories == categories, question
    assert plan.aspects == aspects, question
    assert plan.group_by == group_by, question
    assert plan.not_understood == [], (question, plan.not_understood)


def test_the_planner_reaches_the_review_domain() -> None:
    plan = offline_plan("what do customers complain about in dresses?", VOCAB)
    assert plan.intent == "review_complaints" and plan.filters.categories == ["Dresses"]


def test_period_words_anchor_to_the_review_dates() -> None:
    plan = _plan("sentiment by category last quarter")
    assert plan is not None and len(plan.periods) == 1
    assert (plan.periods[0].start, plan.periods[0].end) == (date(2024, 1, 1), date(2024, 3, 31))
    worse = _plan("did sentiment for dresses get worse last month vs the month before?")
    assert worse is not None and worse.intent == "review_trend" and len(worse.periods) == 2
    assert worse.periods[0].start == date(2024, 5, 1) and worse.periods[1].start == date(2024, 4, 1)


def test_a_period_on_undated_reviews_is_an_honest_refusal() -> None:
    plan = _plan("sentiment by category last quarter", UNDATED)
    assert plan is not None and plan.intent == "cannot_answer" and plan.gap is not None
    assert "no dates" in plan.gap.message
    assert _plan("sentiment by category", UNDATED).intent == "review_sentiment"  # type: ignore[union-attr]


def test_unknown_words_are_reported_and_lower_the_confidence() -> None:
    clean, odd = _plan("what do customers complain about in dresses?"), _plan(
        "what do customers complain about in dresses on zorblax")
    assert clean is not None and odd is not None
    assert "zorblax" in odd.not_understood and odd.confidence < clean.confidence


@pytest.mark.parametrize("question", ["top 10 products by revenue last month", "average selling price by country",
                                      "revenue by week this quarter", "returns by month",
                                      "which customers came back", "units sold of 85123A"])
def test_sales_questions_are_not_review_questions(question: str) -> None:
    assert _plan(question) is None


@pytest.mark.parametrize("question", ["what do customers complain about in dresses?",
                                      "which products' reviews got worse?", "what do people want us to add?",
                                      "how do customers feel about the fit?", "sentiment by category last quarter",
                                      "feature requests from reviews"])
def test_a_tenant_without_reviews_gets_the_honest_cannot_answer(question: str) -> None:
    plan = offline_plan(question, NO_REVIEWS)
    assert plan.intent == "cannot_answer" and plan.gap is not None and plan.gap.need == "reviews", question
    assert "reviews" in plan.gap.message and "Upload reviews" in plan.gap.message


def test_review_answers_suggest_review_questions_the_planner_reads() -> None:
    from ecomintel.ask.synthesizer import REVIEW_FOLLOWUPS, followups

    suggested = followups({"intent": "review_complaints"}, {"tables": [], "periods": []})
    assert len(suggested) == 3 and "what do customers complain about?" not in suggested
    for question in REVIEW_FOLLOWUPS:
        plan = _plan(question)
        assert plan is not None and plan.intent.startswith("review_") and not plan.not_understood, question


def test_a_grouping_word_read_as_the_category_is_said_so() -> None:
    """Reviews carry one product grouping; "by department" is answered by it, and the plan says so (and is a
    little less sure) instead of mapping the word silently."""
    plan = offline_plan("mean stars per department", VOCAB)
    assert plan.intent == "review_sentiment" and plan.group_by == "category"
    assert "Read 'department' as the reviews' category (the one product grouping reviews carry)." in plan.notes
    assert plan.confidence < offline_plan("mean stars per category", VOCAB).confidence
