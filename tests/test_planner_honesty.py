"""Honest plans: questions the data cannot answer become cannot_answer plans (with what is missing and what to
ask instead), filter words that match nothing are never silently dropped, and confidence drops when words
are not understood. Questions are written the way analysts type them, not the way the planner reads them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomintel.ask.gaps import REQUIREMENTS
from ecomintel.ask.offline_planner import offline_plan
from ecomintel.ask.service import ask
from ecomintel.config import load_settings
from ecomintel.db.repository import Repository
from ecomintel.db.vocab import Vocab
from tests.planner_data import planner_repo


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Repository, Vocab]]:
    repo = planner_repo(tmp_path_factory.mktemp("honesty"), "honesty")
    yield repo, repo.vocabulary()
    repo.engine.dispose()


UNANSWERABLE = [
    ("whats our gross margin on the jumbo bags", "cost"),
    ("profit by product last month", "cost"),
    ("which products r most profitable", "cost"),
    ("avg star rating per product?", "reviews"),
    ("what are ppl complaining about", "reviews"),
    ("are we cheaper than the competition on amazon", "listings"),
    ("how many units have we got left in the warehouse", "inventory"),
    ("which skus will run out before the next delivery", "inventory"),
    ("did the facebook ads campaign pay off", "marketing"),
    ("roas last quarter", "marketing"),
    ("website conversion rate in nov", "traffic"),
    ("how many sessions did the site get", "traffic"),
    ("does rain hurt sales", "weather"),
    ("who won the world cup", "off_topic"),
    ("qwpoe zzkx vvb", "not_understood"),
    ("revenue in paris last month", "not_understood"),
    ("sales on tiktok", "not_understood"),
    ("orders from wholesale accounts in the uk", "not_understood"),
    ("revenue by city", "not_understood"),
    ("units by colour last month", "not_understood"),
    ("avg delivery time in nov", "fulfilment"),
    ("revenue by gender", "customer_profile"),
    ("email open rate", "marketing"),
    ("what share of the market do we have", "market"),
    ("how are rival stores doing this month", "market"),
    ("industry benchmarks for aov", "market"),
    ("competitors' revenue last year", "market"),
    ("orders from customers aged under 30", "customer_profile"),
    ("revenue split for ages 18-24 and 25-34", "customer_profile"),
    ("do millennials spend more", "customer_profile"),
    ("how many shoppers visited our site yesterday", "traffic"),
]


@pytest.mark.parametrize(("question", "need"), UNANSWERABLE, ids=[q for q, _ in UNANSWERABLE])
def test_unanswerable_questions_say_what_is_missing(tenant: tuple[Repository, Vocab], question: str,
                                                    need: str) -> None:
    _, vocab = tenant
    plan = offline_plan(question, vocab)
    assert plan.intent == "cannot_answer", plan.model_dump(exclude={"notes"})
    assert plan.agents == []
    assert plan.gap is not None and plan.gap.need == need, plan.gap
    assert 2 <= len(plan.gap.suggestions) <= 3
    assert plan.gap.message.endswith(".")


IN_SCOPE = [  # look-alikes of the gap words that are sales questions
    "revenue by stock code last month",
    "stock adjustments in november",
    "what did returns cost us in oct",
    "top 10 customers by revenue",
    "how many returning customers in nov",
    "best selling products this month",
]


@pytest.mark.parametrize("question", IN_SCOPE)
def test_sales_questions_that_look_like_gaps_are_answered(tenant: tuple[Repository, Vocab], question: str) -> None:
    _, vocab = tenant
    plan = offline_plan(question, vocab)
    assert plan.intent != "cannot_answer", plan.gap
    assert plan.agents


def test_every_requirement_is_reachable_and_says_what_would_help(tenant: tuple[Repository, Vocab]) -> None:
    _, vocab = tenant
    for req in REQUIREMENTS:
        assert req.remedy and req.missing
    with_costs = Vocab(sales_start=vocab.sales_start, sales_end=vocab.sales_end, countries=vocab.countries,
                       datasets={"cost": 10})
    plan = offline_plan("what is our profit margin", with_costs)
    assert plan.gap is not None and "loaded" in plan.gap.message  # the data is there; the analysis is not yet
    with_reviews = Vocab(sales_start=vocab.sales_start, sales_end=vocab.sales_end, countries=vocab.countries,
                         datasets={"reviews": 10})  # reviews have their analysis (ask/review_questions.py)
    assert offline_plan("what do customers complain about", with_reviews).intent == "review_complaints"


WORDS = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=5, max_size=9)
TEMPLATES = ("revenue in {w} last month", "top products in {w}", "how many orders from {w}", "sales on {w}",
             "units sold via {w} in nov 2011", "revenue for {w} vs the previous month")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=WORDS, template=st.sampled_from(TEMPLATES))
def test_an_unknown_filter_word_is_never_silently_dropped(tenant: tuple[Repository, Vocab], word: str,
                                                          template: str) -> None:
    _, vocab = tenant
    plan = offline_plan(template.format(w=word), vocab)
    filtered = bool(plan.filters.countries or plan.filters.skus or plan.filters.products
                    or plan.filters.categories or plan.filters.channels or plan.filters.marketplaces)
    assert plan.intent == "cannot_answer" or filtered or word in plan.not_understood, plan


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=WORDS)
def test_an_unknown_word_lowers_confidence(tenant: tuple[Repository, Vocab], word: str) -> None:
    _, vocab = tenant
    clear = offline_plan("top 5 products by revenue in november 2011", vocab)
    murky = offline_plan(f"top 5 {word} products by revenue in november 2011", vocab)
    if word in murky.not_understood:
        assert murky.confidence < clear.confidence - 0.2


def test_cannot_answer_reports_carry_no_numbers(tenant: tuple[Repository, Vocab]) -> None:
    repo, _ = tenant
    cfg = load_settings({"ECOMINTEL_LLM_PROVIDER": "none"})
    for question, need in [*UNANSWERABLE[:6], ("revenue in March 2010", "sales")]:
        report = ask(question, repo=repo, settings=cfg, save=False)
        assert report["status"] == "cannot_answer"
        assert report["missing"] == need
        assert report["metrics"] == {} and report["tables"] == [] and report["charts"] == []
        assert report["summary"] and 2 <= len(report["suggestions"]) <= 3
    answered = ask("revenue in november 2011", repo=repo, settings=cfg, save=False)
    assert answered["status"] == "ok" and answered["metrics"]["revenue"] != 0


def test_suggestions_use_the_tenants_own_names(tenant: tuple[Repository, Vocab]) -> None:
    _, vocab = tenant
    plan = offline_plan("profit margin last month", vocab)
    assert plan.gap is not None
    assert any(country in s for s in plan.gap.suggestions for country in vocab.countries)
    empty = offline_plan("profit margin last month", Vocab())
    assert empty.gap is not None and any("Upload" in s for s in empty.gap.suggestions)


def test_a_top_n_above_the_setting_is_capped_with_one_note(tenant: tuple[Repository, Vocab]) -> None:
    from ecomintel.ask.planner import make_plan

    repo, _ = tenant
    plan = make_plan("top 500 products by revenue", repo=repo,
                     settings=load_settings({"ECOMINTEL_MAX_TOP_N": "50"})).plan
    assert plan.top_n == 50
    assert [n for n in plan.notes if "rows" in n] == [
        "Asked for 500 rows.", "Showing the maximum of 50 rows (setting ECOMINTEL_MAX_TOP_N, at most 100)."]
    plan = make_plan("top 20 products by revenue", repo=repo, settings=load_settings({})).plan
    assert plan.top_n == 20 and not any("rows" in n for n in plan.notes)


def test_a_split_by_a_field_the_data_lacks_names_the_fields_it_has(tenant: tuple[Repository, Vocab]) -> None:
    _, vocab = tenant
    plan = offline_plan("revenue by postcode", vocab)
    assert plan.gap is not None and "'postcode'" in plan.gap.message and "country" in plan.gap.message
    assert offline_plan("revenue by the month", vocab).intent == "trend"
