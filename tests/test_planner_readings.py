"""How the offline planner reads the new capabilities when analysts type them: customers as a dimension,
new/returning, repeat, cohorts, shares, best/worst periods, derived metrics, stock adjustments, typos and the
home market. Small known tenant (D = 2011-11-10, United Kingdom has the most lines)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ecomintel.ask.offline_planner import offline_plan
from ecomintel.ask.typos import fix_keyword_typos
from ecomintel.db.vocab import Vocab
from tests.planner_data import planner_repo


@pytest.fixture(scope="module")
def vocab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vocab]:
    repo = planner_repo(tmp_path_factory.mktemp("readings"), "readings")
    yield repo.vocabulary()
    repo.engine.dispose()


CASES: list[tuple[str, dict[str, Any]]] = [
    ("top custs nov", {"intent": "top_items", "group_by": "customer", "metric": "revenue"}),
    ("biggest spenders all time", {"intent": "top_items", "group_by": "customer"}),
    ("whos buying the most units from us in france", {"group_by": "customer", "metric": "units",
                                                       "countries": ["France"]}),
    ("who is our #1 customer by rev in oct", {"group_by": "customer", "top_n": 1}),
    ("which custmers bought 85123A", {"intent": "top_items", "group_by": "customer", "skus": ["85123A"]}),
    ("which 5 clients spent the least last month", {"intent": "bottom_items", "group_by": "customer",
                                                    "top_n": 5}),
    ("products bought by the most customers", {"group_by": "product", "metric": "customers"}),
    ("how many customers bought in nov", {"intent": "overview", "metric": "customers"}),
    ("new vs returning customers by week", {"intent": "new_returning", "group_by": "week"}),
    ("first time buyers in oct", {"intent": "new_returning"}),
    ("repeat purchase rate last month", {"intent": "repeat"}),
    ("% of customers who ordered more than once", {"intent": "repeat"}),
    ("monthly retention by cohort", {"intent": "cohorts"}),
    ("uk share of units in nov", {"intent": "share", "metric": "units", "countries": ["United Kingdom"]}),
    ("how much of our revenue is from outside the uk", {"intent": "share",
                                                        "exclude_countries": ["United Kingdom"]}),
    ("intl share of rev", {"intent": "share", "exclude_countries": ["United Kingdom"]}),
    ("share of revenue by country", {"intent": "breakdown", "group_by": "country"}),
    ("best month ever", {"intent": "top_items", "group_by": "month"}),
    ("slowest full week by orders", {"intent": "bottom_items", "group_by": "week", "metric": "orders"}),
    ("which day had the highest revenue in nov", {"intent": "top_items", "group_by": "day"}),
    ("busiest hour", {"intent": "top_items", "group_by": "hour"}),
    ("worst month incl the partial ones", {"intent": "bottom_items", "group_by": "month",
                                           "include_partial": True}),
    ("items per order last month", {"intent": "overview", "metric": "units_per_order"}),
    ("avg price of 85123A", {"metric": "asp", "skus": ["85123A"]}),
    ("avg daily sales in nov", {"metric": "avg_daily_revenue"}),
    ("number of cancelled orders in oct", {"metric": "cancelled_orders"}),
    ("return rate by country", {"intent": "breakdown", "metric": "return_rate", "group_by": "country"}),
    ("avg spend per customer", {"metric": "revenue_per_customer"}),
    ("write-offs last month", {"intent": "returns"}),
    ("how many units did we adjust out of stock in oct", {"intent": "returns"}),
    ("top 10 customers by revenue net of returns", {"intent": "top_items", "group_by": "customer"}),
    ("domestic revenue last month", {"countries": ["United Kingdom"]}),
    ("percentage of 2011 orders from outside the uk", {"intent": "share", "metric": "orders"}),
    ("slowest week of the year by orders", {"intent": "bottom_items", "group_by": "week"}),
    ("which 5 skus came back the most in nov", {"intent": "returns", "metric": "returns", "top_n": 5}),
    ("how many inventory adjustment lines are in the data", {"intent": "returns", "group_by": None}),
    ("customers who came back", {"intent": "repeat"}),
    ("weekend share of revenue", {"intent": "share", "weekdays": ["Saturday", "Sunday"]}),
    ("mejor mes por ventas", {"intent": "top_items", "group_by": "month"}),
    ("show retention by first purchase month", {"intent": "cohorts"}),
    ("avg revenue per calendar day in oct", {"metric": "avg_daily_revenue"}),
    ("rev per trading day this yr", {"metric": "avg_daily_revenue"}),
    ("rev per cust in france", {"metric": "revenue_per_customer", "countries": ["France"]}),
    # how analysts say up/down, "so far", hedges, "top sellers", "ppl" (probe round 2; other sentences)
    ("did units slump in nov", {"intent": "compare_periods", "metric": "units"}),
    ("why did revenue nosedive in nov", {"intent": "why_change"}),
    ("weakest week so far by orders", {"intent": "bottom_items", "group_by": "week", "metric": "orders"}),
    ("biggest sellers in oct", {"intent": "top_items", "group_by": "product", "metric": "units"}),
    ("which hour do most orders usually arrive", {"intent": "top_items", "group_by": "hour", "metric": "orders"}),
    ("number of ppl who bought in oct", {"intent": "overview", "metric": "customers"}),
]


@pytest.mark.parametrize(("question", "expected"), CASES, ids=[q for q, _ in CASES])
def test_analyst_phrasings(vocab: Vocab, question: str, expected: dict[str, Any]) -> None:
    plan = offline_plan(question, vocab)
    assert plan.intent != "cannot_answer", plan.gap
    for key, value in expected.items():
        in_filters = key in ("countries", "exclude_countries", "skus", "weekdays")
        got = getattr(plan.filters, key) if in_filters else getattr(plan, key)
        assert got == value, (key, plan.model_dump(exclude={"notes"}))
    assert plan.not_understood == [], plan.not_understood


def test_share_of_a_product_within_a_country_uses_the_country_as_the_whole(vocab: Vocab) -> None:
    plan = offline_plan("what percent of the uk's revenue was 85123A in nov", vocab)
    assert plan.intent == "share"
    assert plan.filters.countries == ["United Kingdom"] and plan.filters.skus == ["85123A"]
    assert plan.total_filters is not None and plan.total_filters.countries == ["United Kingdom"]


def test_typos_of_keywords_are_fixed_and_stated_but_product_words_are_not(vocab: Vocab) -> None:
    fixed, notes = fix_keyword_typos("top custmers by revnue", frozenset())
    assert fixed == "top customers by revenue"
    assert notes == ["Read 'custmers' as 'customers'.", "Read 'revnue' as 'revenue'."]
    assert fix_keyword_typos("holder", frozenset({"holder"}))[0] == "holder"
    plan = offline_plan("returning custmers oct", vocab)
    assert plan.intent == "new_returning"
    assert "Read 'custmers' as 'customers'." in plan.notes
    clean = offline_plan("returning customers oct", vocab)
    assert plan.confidence < clean.confidence  # a guessed word costs a little certainty


# Phrasings of the data, stock and forecast domains that were missed (probe round 2; the probe's own
# sentences are not used here, so the probe stays a held-out set).
DOMAIN_CASES: list[tuple[str, dict[str, Any]]] = [
    ("do we have blank prices in the catalogue", {"intent": "data_quality"}),
    ("how many null dates are in the orders", {"intent": "data_quality"}),
    ("were any invoices duplicated on import", {"intent": "data_quality"}),
    ("forecast revs for the next 6 wks", {"intent": "forecast", "metric": "revenue", "horizon_days": 42}),
    ("predict units next 10d", {"intent": "forecast", "metric": "units", "horizon_days": 10}),
    ("projected takings next 2 mths", {"intent": "forecast", "metric": "revenue"}),
]


@pytest.mark.parametrize(("question", "expected"), DOMAIN_CASES, ids=[q for q, _ in DOMAIN_CASES])
def test_domain_phrasings(vocab: Vocab, question: str, expected: dict[str, Any]) -> None:
    plan = offline_plan(question, vocab)
    for key, value in expected.items():
        assert getattr(plan, key) == value, (key, plan.model_dump(exclude={"notes"}))
    assert plan.not_understood == [], plan.not_understood


@pytest.mark.parametrize("question", ["how do our candle prices stack up against other shops",
                                      "our prices vs amazon's for the jumbo bags", "price comparison with rivals"])
def test_our_prices_set_against_others_are_a_competitor_question(vocab: Vocab, question: str) -> None:
    """No competitor listings in this tenant: the honest listings refusal, not a revenue comparison."""
    plan = offline_plan(question, vocab)
    assert plan.intent == "cannot_answer" and plan.gap is not None and plan.gap.need == "listings", plan
    periods = offline_plan("how did our prices change from oct to nov", vocab)
    assert periods.intent == "price_changes"  # prices set against another period are our own price changes


@pytest.mark.parametrize("question", ["what might be stocked out by next friday", "skus likely to sell out soon",
                                      "which lines are running short"])
def test_stock_phrasings_reach_the_stock_reading(vocab: Vocab, question: str) -> None:
    """This tenant has no stock levels: the stock reading claims the question and says what is missing
    (not an unknown-filter refusal on 'risk', not a sales overview, no product matched on 'stocked')."""
    plan = offline_plan(question, vocab)
    assert plan.intent == "cannot_answer" and plan.gap is not None and plan.gap.need == "inventory", plan
