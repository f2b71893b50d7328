"""Pricing questions as analysts type them, routed by the offline planner (ask/pricing_questions.py): the
intent, the threshold and side, periods, products; honest refusals for competitor questions without listings;
sales questions that mention a price stay sales questions. Written before the reading rules."""

from __future__ import annotations

from datetime import date

import pytest

from ecomintel.ask.offline_planner import offline_plan
from ecomintel.db.vocab import Vocab

CATALOGUE = {"85123A": "WHITE HANGING HEART T-LIGHT HOLDER", "22423": "REGENCY CAKESTAND 3 TIER",
             "84879": "ASSORTED COLOUR BIRD ORNAMENT"}
SALES_ONLY = Vocab(sales_start=date(2010, 12, 1), sales_end=date(2011, 12, 9), countries=("United Kingdom",),
                   main_country="United Kingdom", catalogue=CATALOGUE)
WITH_LISTINGS = Vocab(sales_start=date(2010, 12, 1), sales_end=date(2011, 12, 9), countries=("United Kingdom",),
                      main_country="United Kingdom", catalogue=CATALOGUE, marketplaces=("amazon.de", "ebay"),
                      datasets={"listings": 300, "products": 120, "cost": 100})

POSITION = [
    "are we more expensive than the competition?",
    "where are we undercut by more than 10%?",
    "which products are priced more than 5% above the market?",
    "which of our prices are more than 8% below competitors",
    "how do our prices compare with competitors on ebay?",
    "price gap vs competitors by category",
]
CHANGES = [
    "which products changed price by more than 5% between October and November?",
    "which SKUs did we reprice last month?",
    "price changes over 10% in November 2011",
    "did the price of 85123A change in 2011?",
    "which items had a price increase last quarter",
]
PROMOTIONS = ["which products are on promotion?", "how deep are our discounts by category?",
              "show listings with clearance or bundle deals"]
ELASTICITY = ["how price sensitive is 85123A?", "price elasticity of our top products",
              "how elastic is demand for regency cakestand"]
RECOMMEND = ["what price should we charge for 85123A?", "recommend prices for our products",
             "which prices should we raise without breaking our margin floor?",
             "suggest new prices within a 20% margin"]


@pytest.mark.parametrize("question", POSITION)
def test_position_questions(question: str) -> None:
    plan = offline_plan(question, WITH_LISTINGS)
    assert plan.intent == "price_position" and plan.agents == ["pricing"], (question, plan)


def test_position_threshold_and_side_come_from_the_question() -> None:
    undercut = offline_plan("where are we undercut by more than 10%?", WITH_LISTINGS)
    assert undercut.thresholds["gap_pct"] == 10 and undercut.thresholds["side"] > 0
    below = offline_plan("which of our prices are more than 8% below competitors", WITH_LISTINGS)
    assert below.thresholds["gap_pct"] == 8 and below.thresholds["side"] < 0
    assert offline_plan("how do our prices compare with competitors on ebay?",
                        WITH_LISTINGS).filters.marketplaces == ["ebay"]
    assert "gap_pct" not in offline_plan("are we more expensive than the competition?", WITH_LISTINGS).thresholds


@pytest.mark.parametrize("question", CHANGES)
@pytest.mark.parametrize("vocab", [SALES_ONLY, WITH_LISTINGS], ids=["sales_only", "listings"])
def test_change_questions_answer_on_a_sales_only_tenant_too(question: str, vocab: Vocab) -> None:
    plan = offline_plan(question, vocab)
    assert plan.intent == "price_changes" and plan.agents == ["pricing"], (question, plan)


def test_change_question_reads_threshold_and_both_months() -> None:
    plan = offline_plan("which products changed price by more than 5% between October and November?", SALES_ONLY)
    assert plan.thresholds["change_pct"] == 5
    assert sorted((p.start, p.end) for p in plan.periods) == [(date(2011, 10, 1), date(2011, 10, 31)),
                                                            (date(2011, 11, 1), date(2011, 11, 30))]
    assert plan.not_understood == [] and plan.confidence >= 0.8
    sku = offline_plan("did the price of 85123A change in 2011?", SALES_ONLY)
    assert sku.filters.skus == ["85123A"]


@pytest.mark.parametrize("question", PROMOTIONS)
def test_promotion_questions(question: str) -> None:
    assert offline_plan(question, WITH_LISTINGS).intent == "promotions"


@pytest.mark.parametrize("question", ELASTICITY)
def test_elasticity_questions(question: str) -> None:
    plan = offline_plan(question, SALES_ONLY)
    assert plan.intent == "elasticity", (question, plan)
    if "85123a" in question.lower():
        assert plan.filters.skus == ["85123A"]


@pytest.mark.parametrize("question", RECOMMEND)
def test_recommendation_questions(question: str) -> None:
    plan = offline_plan(question, WITH_LISTINGS)
    assert plan.intent == "price_recommendations", (question, plan)


@pytest.mark.parametrize("question", [*POSITION[:4], "which competitor prices changed last month?"])
def test_competitor_questions_without_listings_are_refused_honestly(question: str) -> None:
    plan = offline_plan(question, SALES_ONLY)
    assert plan.intent == "cannot_answer" and plan.gap is not None and plan.gap.need == "listings", (question, plan)
    assert "listings" in plan.gap.message


@pytest.mark.parametrize("question", ["average selling price last month", "top 10 products by revenue",
                                      "what is the average unit price in Germany?",
                                      "revenue by month this year"])
def test_sales_questions_stay_sales_questions(question: str) -> None:
    plan = offline_plan(question, WITH_LISTINGS)
    assert plan.intent not in ("price_position", "price_changes", "promotions", "elasticity",
                               "price_recommendations"), (question, plan)


def test_unknown_words_lower_the_confidence() -> None:
    clean = offline_plan("which SKUs did we reprice last month?", SALES_ONLY)
    noisy = offline_plan("which SKUs did we reprice last month for the zorblax?", SALES_ONLY)
    assert noisy.intent == "price_changes" and "zorblax" in noisy.not_understood
    assert noisy.confidence < clean.confidence
