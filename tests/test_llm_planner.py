"""The LLM planner through make_plan against the local stub: a valid draft becomes a checked Plan; bad
JSON, schema violations, timeouts, HTTP errors and an exhausted budget fall back to the offline plan
with a warning; tenant data sits only inside the <data> block and cannot steer the plan."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa

from ecomintel.ask.llm_planner import PlanDraft, build_prompt
from ecomintel.ask.planner import make_plan
from ecomintel.config import Settings, load_settings
from ecomintel.db.engine import make_engine, migrate
from ecomintel.db.repository import Repository
from ecomintel.llm.client import make_llm
from ecomintel.llm.openai_provider import OpenAIProvider
from tests.conftest import new_tenant_ctx
from tests.llm_stub import LLMStub, Reply, llm_stub_fixture  # noqa: F401  (fixture "llm_stub")
from tests.planner_data import INJECTION_NAME, load_planner_tenant

NOV = (date(2011, 11, 1), date(2011, 11, 10))
QUESTION = "which 5 products earned the most in November?"  # not a router pattern: the LLM plans it


@pytest.fixture(scope="module")
def db() -> Iterator[sa.Engine]:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'llm.db'}")
        migrate(engine)
        yield engine
        engine.dispose()


@pytest.fixture(scope="module")
def loaded(db: sa.Engine) -> Repository:
    repo = Repository(db, new_tenant_ctx(db, "llmplan"))
    load_planner_tenant(repo)
    return repo


def stub_settings(stub: LLMStub, **extra: str) -> Settings:
    return load_settings({"ECOMINTEL_LLM_BASE_URL": stub.url, "ECOMINTEL_LLM_TIMEOUT_S": "2", **extra})


def stub_llm(settings: Settings) -> OpenAIProvider:
    client = make_llm(settings)
    assert isinstance(client, OpenAIProvider)
    client.backoff_s = 0.05
    return client


GOOD_DRAFT = {"intent": "top_items", "metric": "revenue", "group_by": "product", "periods": ["November 2011"],
              "compare": False, "filters": {"countries": ["UK"], "exclude_countries": [], "skus": [],
                                            "products": [], "categories": [], "channels": [], "marketplaces": []},
              "top_n": 5, "order": "desc", "confidence": 0.9}


def usage_rows(repo: Repository) -> list[tuple[int, int, bool]]:
    with repo.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT prompt_tokens, completion_tokens, ok FROM llm_usage WHERE tenant_id = :t "
                                    "ORDER BY id"), {"t": repo.tenant_id}).all()
    return [(r[0], r[1], bool(r[2])) for r in rows]


def test_a_valid_draft_becomes_a_checked_plan(db: sa.Engine, llm_stub: LLMStub) -> None:
    repo = Repository(db, new_tenant_ctx(db, "valid"))
    load_planner_tenant(repo)
    settings = stub_settings(llm_stub)
    llm_stub.add(Reply.json(GOOD_DRAFT))
    outcome = make_plan(QUESTION, repo=repo, settings=settings, llm=stub_llm(settings))
    plan = outcome.plan
    assert outcome.warnings == []
    assert plan.planner == "llm:gpt-4o-mini"
    assert (plan.intent, plan.metric, plan.group_by, plan.top_n) == ("top_items", "revenue", "product", 5)
    assert [(p.start, p.end) for p in plan.periods] == [NOV]  # resolved by periods.py, clipped to the data
    assert plan.filters.countries == ["United Kingdom"]  # "UK" spelled as the data spells it
    assert usage_rows(repo) == [(120, 30, True)]  # tokens and cost recorded for the tenant


@pytest.mark.parametrize(("reply", "why"), [
    (Reply.text("I think they want the top products {"), "not valid JSON"),
    (Reply.json({**GOOD_DRAFT, "sql": "DROP TABLE sales"}), "broke the schema"),
    (Reply.json({**GOOD_DRAFT, "intent": "delete_everything"}), "broke the schema"),
    (Reply.json({**GOOD_DRAFT, "top_n": 10_000}), "broke the schema"),
    (Reply.json({**GOOD_DRAFT, "periods": ["March 1999"]}), "outside your sales data"),
    (Reply.status(500), "HTTP 500"),
    (Reply.slow(4, Reply.json(GOOD_DRAFT)), "did not answer within 2 s"),
])
def test_failed_llm_plans_fall_back_to_offline_with_a_warning(loaded: Repository, llm_stub: LLMStub,
                                                              reply: Reply, why: str) -> None:
    settings = stub_settings(llm_stub)
    llm_stub.add(reply, reply, reply)  # enough for the retries of retryable statuses
    outcome = make_plan(QUESTION, repo=loaded, settings=settings, llm=stub_llm(settings))
    assert outcome.plan.planner == "offline"
    assert len(outcome.warnings) == 1 and why in outcome.warnings[0]
    assert "offline planner answered" in outcome.warnings[0]
    assert outcome.plan.top_n == 5 and [(p.start, p.end) for p in outcome.plan.periods] == [NOV]


def test_429_is_retried_and_the_llm_plan_used(loaded: Repository, llm_stub: LLMStub) -> None:
    settings = stub_settings(llm_stub)
    llm_stub.add(Reply.status(429), Reply.json(GOOD_DRAFT))
    outcome = make_plan(QUESTION, repo=loaded, settings=settings, llm=stub_llm(settings))
    assert outcome.plan.planner == "llm:gpt-4o-mini" and outcome.warnings == []
    assert len(llm_stub.requests) == 2


def test_budget_exceeded_falls_back_without_calling_the_llm(db: sa.Engine, llm_stub: LLMStub) -> None:
    repo = Repository(db, new_tenant_ctx(db, "broke"))
    repo.record_llm_usage(provider="openai", model="gpt-4o-mini", purpose="plan", prompt_tokens=1,
                          completion_tokens=1, cost_usd=0.02)
    settings = stub_settings(llm_stub, ECOMINTEL_LLM_MONTHLY_BUDGET_USD="0.01")
    llm_stub.add(Reply.json(GOOD_DRAFT))
    outcome = make_plan(QUESTION, repo=repo, settings=settings, llm=stub_llm(settings))
    assert outcome.plan.planner == "offline"
    assert llm_stub.requests == []
    assert "budget" in outcome.warnings[0] and "offline planner answered" in outcome.warnings[0]


def test_router_questions_never_reach_the_llm(loaded: Repository, llm_stub: LLMStub) -> None:
    settings = stub_settings(llm_stub)
    outcome = make_plan("top 10 products by revenue in November 2011", repo=loaded, settings=settings,
                        llm=stub_llm(settings))
    assert outcome.plan.planner == "pattern" and llm_stub.requests == []


def test_tenant_data_is_delimited_and_cannot_steer_the_plan(loaded: Repository, llm_stub: LLMStub) -> None:
    question = "which 5 products earned the most in November, including the ignore instructions one?"
    settings = stub_settings(llm_stub)
    # an LLM that "obeyed" the injected product name: it asks for 100 products and a made-up country
    hijacked = {**GOOD_DRAFT, "top_n": 100, "filters": {**GOOD_DRAFT["filters"], "countries": ["Atlantis"]}}
    llm_stub.add(Reply.json(hijacked))
    outcome = make_plan(question, repo=loaded, settings=settings, llm=stub_llm(settings))
    plan = outcome.plan
    assert plan.top_n == 5  # the question's explicit N wins
    assert plan.filters.countries == []  # names not in the data are dropped
    assert any("disagreed with the question; used 5" in w for w in outcome.warnings)
    assert any("Atlantis" in w for w in outcome.warnings)

    user = next(m["content"] for m in llm_stub.requests[0]["body"]["messages"] if m["role"] == "user")
    assert user.count("<data>") == 1 and user.count("</data>") == 1  # a value cannot close the block
    start, end = user.index("<data>"), user.index("</data>")
    injected = INJECTION_NAME.replace("<", "‹").replace(">", "›")
    assert injected in user[start:end]
    assert "IGNORE PREVIOUS INSTRUCTIONS" not in user[:start] + user[end:]
    assert "data, not instructions" in user[start:end]
    system = llm_stub.requests[0]["body"]["messages"][0]["content"]
    assert "DATA, NOT INSTRUCTIONS" in system and "IGNORE PREVIOUS" not in system


def test_echoed_prompt_is_not_a_plan(loaded: Repository, llm_stub: LLMStub) -> None:
    settings = stub_settings(llm_stub)
    llm_stub.add(Reply.echo())
    outcome = make_plan(QUESTION, repo=loaded, settings=settings, llm=stub_llm(settings))
    assert outcome.plan.planner == "offline" and "not an object" in outcome.warnings[0]
    echoed = json.loads(llm_stub.requests[0]["body"]["messages"][1]["content"].split("<question>")[1]
                        .split("</question>")[0].join(['"', '"']))
    assert echoed == QUESTION


def test_llm_periods_and_names_resolve_against_the_vocabulary(loaded: Repository, llm_stub: LLMStub) -> None:
    draft = {"intent": "compare_periods", "metric": "units", "periods": ["2011-11-09..2011-11-10", "2011-10-05..2011-10-06"],
             "compare": True, "filters": {"products": ["white hanging heart"], "exclude_countries": ["Ireland"]},
             "confidence": 0.8}
    settings = stub_settings(llm_stub)
    llm_stub.add(Reply.json(draft))
    outcome = make_plan("units of the heart holder, early nov against early oct", repo=loaded, settings=settings,
                        llm=stub_llm(settings))
    plan = outcome.plan
    assert plan.planner.startswith("llm:")
    assert [(p.start, p.end) for p in plan.periods] == [(date(2011, 11, 9), date(2011, 11, 10)),
                                                        (date(2011, 10, 5), date(2011, 10, 6))]
    assert plan.filters.skus == ["85123A"] and plan.filters.exclude_countries == ["EIRE"]


def test_prompt_lists_candidate_products_and_the_data_range(loaded: Repository) -> None:
    system, user = build_prompt("sales of regency cakestand", loaded.vocabulary())
    assert "22423 | REGENCY CAKESTAND 3 TIER" in user
    assert "2011-10-05..2011-11-10" in user
    assert "intent" in system and set(PlanDraft.model_json_schema()["properties"]) >= {"intent", "periods"}
