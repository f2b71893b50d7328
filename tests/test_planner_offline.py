"""Offline planner and router accuracy on a small known tenant (D = 2011-11-10), and the vocabulary mixin on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from ecomintel.ask.offline_planner import offline_plan
from ecomintel.ask.planner import PlanOutcome, make_plan
from ecomintel.ask.router import route
from ecomintel.config import load_settings
from ecomintel.db.repository import Repository
from ecomintel.db.vocab import Vocab
from ecomintel.errors import PlanError
from tests.conftest import new_tenant_ctx
from tests.planner_data import INJECTION_SKU, load_planner_tenant, planner_repo

NOV = (date(2011, 11, 1), date(2011, 11, 10))
OCT = (date(2011, 10, 5), date(2011, 10, 31))  # data starts 2011-10-05
ALL = (date(2011, 10, 5), date(2011, 11, 10))
OCT_SAME_DAYS = (date(2011, 10, 5), date(2011, 10, 10))  # November is partial: compared like for like


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Repository, Vocab]]:
    repo = planner_repo(tmp_path_factory.mktemp("planner"), "planner")
    yield repo, repo.vocabulary()
    repo.engine.dispose()


def test_vocabulary_reads_the_tenants_values(engine: sa.Engine) -> None:
    repo = Repository(engine, new_tenant_ctx(engine, "vocab"))
    other = Repository(engine, new_tenant_ctx(engine, "vocab-other"))
    assert repo.vocabulary().has_sales is False
    load_planner_tenant(repo)
    vocab = repo.vocabulary()
    assert (vocab.sales_start, vocab.sales_end) == (date(2011, 10, 5), date(2011, 11, 10))
    assert {"United Kingdom", "EIRE", "USA", "France"} <= set(vocab.countries)
    assert vocab.catalogue["85123A"] == "WHITE HANGING HEART T-LIGHT HOLDER"
    assert vocab.catalogue["22423"] == "REGENCY CAKESTAND 3 TIER"
    assert other.vocabulary().has_sales is False  # another tenant sees nothing of it
    assert other.vocabulary().countries == () and other.vocabulary().catalogue == {}
    assert repo.vocabulary() is vocab  # memoised while data_version is unchanged
    repo.bump_data_version()
    assert repo.vocabulary() is not vocab


def _span(plan: Any, i: int = 0) -> tuple[date, date]:
    return plan.periods[i].start, plan.periods[i].end


# (question, expected fields). "periods" lists (start, end) pairs; filters are compared as given.
CASES: list[tuple[str, dict[str, Any]]] = [
    ("top 10 products by revenue in November 2011",
     {"intent": "top_items", "metric": "revenue", "group_by": "product", "top_n": 10, "periods": [NOV]}),
    ("Top 5 products by units sold in Novmber", {"intent": "top_items", "metric": "units", "top_n": 5, "periods": [NOV]}),
    ("top ten products by quantity nov '11", {"intent": "top_items", "metric": "units", "top_n": 10, "periods": [NOV]}),
    ("what are our best sellers in 2011-11", {"intent": "top_items", "metric": "units", "group_by": "product", "periods": [NOV]}),
    ("5 best selling items last month", {"intent": "top_items", "metric": "units", "top_n": 5, "periods": [OCT]}),
    ("bottom 10 products by revenue in October", {"intent": "bottom_items", "order": "asc", "periods": [OCT]}),
    ("show me the 3 worst selling products", {"intent": "bottom_items", "top_n": 3, "group_by": "product", "periods": [ALL]}),
    ("how did revenue change from October to November 2011 and why", {"intent": "why_change", "periods": [NOV, OCT]}),
    ("why did sales drop in november?", {"intent": "why_change", "metric": "revenue", "periods": [NOV, OCT_SAME_DAYS]}),
    ("revenue October vs November", {"intent": "compare_periods", "periods": [NOV, OCT]}),
    ("compare orders in 10/2011 and 11/2011", {"intent": "compare_periods", "metric": "orders", "periods": [NOV, OCT]}),
    ("revenue month over month", {"intent": "compare_periods", "periods": [NOV, OCT_SAME_DAYS]}),
    ("AOV this month vs previous month", {"intent": "compare_periods", "metric": "aov",
                                          "periods": [NOV, OCT_SAME_DAYS]}),
    ("which products grew the most from october to november", {"intent": "movers", "group_by": "product", "periods": [NOV, OCT]}),
    ("biggest movers between Oct and Nov", {"intent": "movers", "periods": [NOV, OCT]}),
    ("which products fell the most in november", {"intent": "movers", "order": "asc", "periods": [NOV, OCT_SAME_DAYS]}),
    ("which products rose the most in november", {"intent": "movers", "order": "desc"}),
    ("which countries declined the most in november", {"intent": "movers", "group_by": "country", "order": "asc",
                                                        "periods": [NOV, OCT_SAME_DAYS]}),
    ("revenue by country last month excluding the UK",
     {"intent": "breakdown", "group_by": "country", "periods": [OCT], "exclude_countries": ["United Kingdom"]}),
    ("sales per country in november except UK and Ireland",
     {"intent": "breakdown", "group_by": "country", "exclude_countries": ["United Kingdom", "EIRE"]}),
    ("revenue in Germany vs France in November", {"intent": "breakdown", "group_by": "country",
                                                   "countries": ["Germany", "France"], "periods": [NOV]}),
    ("what was revenue in the UK this month", {"intent": "overview", "countries": ["United Kingdom"], "periods": [NOV]}),
    ("how much did we sell in the US?", {"intent": "overview", "countries": ["USA"], "periods": [ALL]}),
    ("total sales to britain in nov", {"intent": "overview", "countries": ["United Kingdom"], "periods": [NOV]}),
    ("revenue from Eire last 7 days", {"countries": ["EIRE"], "periods": [(date(2011, 11, 4), date(2011, 11, 10))]}),
    ("sales in Germnay in October", {"countries": ["Germany"], "periods": [OCT]}),
    ("which products were returned most", {"intent": "returns", "group_by": "product"}),
    ("returns by country in november", {"intent": "returns", "group_by": "country", "periods": [NOV]}),
    ("how many cancellations were there last month", {"intent": "overview", "metric": "cancelled_orders",
                                                      "periods": [OCT]}),
    ("which day of the week has the most sales", {"intent": "top_items", "group_by": "weekday"}),
    ("sales by hour of day in November", {"intent": "patterns", "group_by": "hour", "periods": [NOV]}),
    ("weekly revenue trend", {"intent": "trend", "group_by": "week", "periods": [ALL]}),
    ("daily units in Q4 2011", {"intent": "trend", "metric": "units", "group_by": "day",
                                "periods": [(date(2011, 10, 5), date(2011, 11, 10))]}),
    ("revenue over time", {"intent": "trend", "periods": [ALL]}),
    ("how many orders in 2011-11", {"intent": "overview", "metric": "orders", "periods": [NOV]}),
    ("number of customers in November", {"intent": "overview", "metric": "customers", "periods": [NOV]}),
    ("average order value by country", {"intent": "breakdown", "metric": "aov", "group_by": "country"}),
    ("basket size yesterday", {"metric": "units_per_order", "periods": [(date(2011, 11, 9), date(2011, 11, 9))]}),
    ("units sold week 45", {"metric": "units", "periods": [(date(2011, 11, 7), date(2011, 11, 10))]}),
    ("revenue from 2011-10-05 to 2011-10-06", {"intent": "overview", "periods": [(date(2011, 10, 5), date(2011, 10, 6))]}),
    ("turnover this quarter", {"metric": "revenue", "periods": [ALL]}),
    ("sales of white hanging heart in November", {"skus": ["85123A"], "periods": [NOV]}),
    ("revenue for 85123A last 4 weeks", {"skus": ["85123A"], "periods": [(date(2011, 10, 14), date(2011, 11, 10))]}),
    ("how many units of regency cakestand did we sell", {"metric": "units", "skus": ["22423"]}),
    ("top 3 countries by customers", {"intent": "top_items", "group_by": "country", "metric": "customers", "top_n": 3}),
    ("products with revenue growth of more than 5% in november", {"intent": "movers", "thresholds": {"min_pct": 5.0}}),
    ("give me an overview of november", {"intent": "overview", "periods": [NOV]}),
    ("sales on 9 Nov 2011", {"periods": [(date(2011, 11, 9), date(2011, 11, 9))]}),
]


@pytest.mark.parametrize(("question", "expected"), CASES, ids=[q for q, _ in CASES])
def test_planner_reads_typical_questions(tenant: tuple[Repository, Vocab], question: str,
                                         expected: dict[str, Any]) -> None:
    repo, _ = tenant
    outcome = make_plan(question, repo=repo, settings=load_settings({}))
    plan = outcome.plan
    assert outcome.warnings == []
    assert plan.planner in ("pattern", "offline")
    assert plan.agents == ["sales"]
    for key, value in expected.items():
        if key == "periods":
            assert [_span(plan, i) for i in range(len(plan.periods))] == value, plan.notes
        elif key in ("countries", "exclude_countries", "skus"):
            assert getattr(plan.filters, key) == value, plan.notes
        else:
            assert getattr(plan, key) == value, (key, plan.model_dump(exclude={"notes"}))
    assert plan.confidence >= 0.6
    assert len(CASES) >= 40


def test_router_answers_exact_patterns_and_declines_the_rest(tenant: tuple[Repository, Vocab]) -> None:
    _, vocab = tenant
    plan = route("Top 5 countries by units last month?", vocab)
    assert plan is not None and plan.planner == "pattern"
    assert (plan.intent, plan.group_by, plan.metric, plan.top_n) == ("top_items", "country", "units", 5)
    assert _span(plan) == OCT
    plan = route("revenue by country in november excluding the UK", vocab)
    assert plan is not None and plan.filters.exclude_countries == ["United Kingdom"]
    assert route("revenue november vs october", vocab).periods[0].label == "Nov 2011"  # type: ignore[union-attr]
    assert route("revenue germany", vocab) is None  # not a pattern: the planners decide
    assert route("top 10 products by revenue in the spring collection", vocab) is None


def test_questions_about_something_else_cannot_be_answered(tenant: tuple[Repository, Vocab]) -> None:
    _, vocab = tenant
    for question, need in (("hello there", "off_topic"), ("what is the weather like", "weather"),
                           ("asdf qwer zxcv", "not_understood")):
        plan = offline_plan(question, vocab)
        assert plan.intent == "cannot_answer" and plan.agents == []
        assert plan.gap is not None and plan.gap.need == need, plan.gap
        assert 2 <= len(plan.gap.suggestions) <= 3


def test_dates_outside_the_data_and_nonsense_cannot_be_answered(tenant: tuple[Repository, Vocab]) -> None:
    repo, _ = tenant
    settings = load_settings({})
    for question, words in (("revenue in March 2010", "outside your sales data"),
                            ("top products last quarter", "outside your sales data"),
                            ("revenue in 2011-13", "not a valid month"),
                            ("orders in week 60", "not an ISO week"),
                            ("sales in Q5 2011", "not a quarter")):
        plan = make_plan(question, repo=repo, settings=settings).plan
        assert plan.intent == "cannot_answer" and plan.gap is not None
        assert words in plan.gap.message
    with pytest.raises(PlanError, match="type a question"):
        make_plan("   ", repo=repo, settings=settings)


def test_deep_mode_names_only_registered_agents(tenant: tuple[Repository, Vocab]) -> None:
    from ecomintel.agents.registry import REGISTRY

    repo, _ = tenant
    outcome: PlanOutcome = make_plan("revenue by country", repo=repo, settings=load_settings({}), mode="deep")
    assert outcome.plan.mode == "deep"
    assert set(outcome.plan.agents) <= set(REGISTRY) | {"sales"}
    assert ("sales_deep" in outcome.plan.agents) == ("sales_deep" in REGISTRY)


def test_product_names_are_data_not_plan_instructions(tenant: tuple[Repository, Vocab]) -> None:
    _, vocab = tenant
    assert INJECTION_SKU in vocab.catalogue
    plan = offline_plan("top 5 products by revenue in november", vocab)
    assert plan.top_n == 5 and plan.filters.skus == []
