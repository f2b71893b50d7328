"""Two tenants on one install, each with its own LLM provider, end to end through the background ask job
(settings from the environment → tenant_settings.effective → make_governed_llm → ask): tenant A's admin chose a
named endpoint (the local stub), tenant B's chose `none`. A's question is planned by the LLM on A's endpoint with
that endpoint's key; B's is planned offline and never reaches any LLM — although without B's choice it would have
gone to the install's default (the same stub under another path, with the install's key)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ecomintel import audit, tenant_settings
from ecomintel.ask.tasks import run_ask_job
from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db.engine import make_engine, migrate
from ecomintel.db.repository import Repository
from tests.conftest import new_tenant_ctx
from tests.llm_stub import LLMStub, Reply, llm_stub_fixture  # noqa: F401  (fixture "llm_stub")
from tests.planner_data import load_planner_tenant

DRAFT = {"intent": "top_items", "metric": "revenue", "group_by": "product", "periods": ["November 2011"],
         "compare": False, "filters": {"countries": [], "exclude_countries": [], "skus": [], "products": [],
                                       "categories": [], "channels": [], "marketplaces": []},
         "top_n": 5, "order": "desc", "confidence": 0.9}
SUMMARY = Reply.text("A handful of products led the month.")  # no numbers: the number check passes it
A_QUESTION = "which 5 products earned the most in November?"
B_FIRST = "which products brought in the most money during November?"
B_QUESTION = "which 3 products sold best in November?"


def _auth(request: dict[str, Any]) -> str:
    """The Authorization header the stub received (header names arrive in the client's case)."""
    return next((v for k, v in request["headers"].items() if k.lower() == "authorization"), "")


def _usage(repo: Repository) -> list[tuple[str, str]]:
    with repo.engine.connect() as conn:
        return [(r[0], r[1]) for r in conn.execute(
            sa.text("SELECT provider, model FROM llm_usage WHERE tenant_id = :t ORDER BY id"), {"t": repo.tenant_id})]


def test_each_tenant_asks_through_its_own_provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   llm_stub: LLMStub) -> None:
    url = f"sqlite:///{tmp_path / 'install.db'}"
    env = {"ECOMINTEL_DATABASE_URL": url, "ECOMINTEL_LLM_TIMEOUT_S": "5",
           # the install's default: openai on the stub under /install with the install's key
           "ECOMINTEL_LLM_PROVIDER": "openai", "ECOMINTEL_LLM_BASE_URL": f"{llm_stub.root}/install/v1",
           "OPENAI_API_KEY": "sk-install-key",
           # a named endpoint the operator offers: the stub's /v1 with a key of its own
           "ECOMINTEL_LLM_ENDPOINTS": f"stub={llm_stub.url}", "ECOMINTEL_LLM_KEY_STUB": "sk-endpoint-key"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("ECOMINTEL_REDIS_URL", "GEMINI_API_KEY", "ECOMINTEL_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    engine = make_engine(url)
    migrate(engine)
    try:
        a_admin = new_tenant_ctx(engine, "llm-a", role="admin")
        b_admin = new_tenant_ctx(engine, "llm-b", role="admin")
        repo_a, repo_b = Repository(engine, a_admin), Repository(engine, b_admin)
        load_planner_tenant(repo_a)
        load_planner_tenant(repo_b)
        settings = load_settings()
        tenant_settings.save(repo_a, a_admin, {"llm_provider": "stub", "llm_model": "stub-model"}, settings=settings)

        # B before its admin chose: the install's default provider plans it
        llm_stub.add(Reply.json(DRAFT), SUMMARY)
        before = run_ask_job(b_admin.tenant_id, None, B_FIRST, mode="quick")
        assert before["planner"] == "llm:gpt-4o-mini"
        assert {r["path"] for r in llm_stub.requests} == {"/install/v1/chat/completions"}
        assert {_auth(r) for r in llm_stub.requests} == {"Bearer sk-install-key"}
        llm_stub.requests.clear()

        tenant_settings.save(repo_b, b_admin, {"llm_provider": "none"}, settings=settings)
        llm_stub.add(Reply.json(DRAFT), SUMMARY)
        report_a = run_ask_job(a_admin.tenant_id, None, A_QUESTION, mode="quick")
        seen_for_a = list(llm_stub.requests)
        report_b = run_ask_job(b_admin.tenant_id, None, B_QUESTION, mode="quick")
    finally:
        engine.dispose()

    assert report_a["planner"] == "llm:stub-model" and report_a["status"] == "ok"
    assert report_a["summary"] == "A handful of products led the month."
    assert len(seen_for_a) == 2  # the plan and the summary, both on A's endpoint with its own key
    assert {r["path"] for r in seen_for_a} == {"/v1/chat/completions"}
    assert {_auth(r) for r in seen_for_a} == {"Bearer sk-endpoint-key"}
    assert {r["body"]["model"] for r in seen_for_a} == {"stub-model"}
    assert all(A_QUESTION in p for p in llm_stub.prompts())

    assert report_b["planner"] == "offline" and report_b["status"] == "ok"
    assert llm_stub.requests == seen_for_a  # B's question reached no LLM
    assert not any(B_QUESTION in p for p in llm_stub.prompts())
    assert _usage(repo_a) == [("stub", "stub-model"), ("stub", "stub-model")]  # costed under the endpoint name
    assert _usage(repo_b) == [("openai", "gpt-4o-mini"), ("openai", "gpt-4o-mini")]  # only the one before

    changes = [e for e in audit.entries(engine, RequestContext(tenant_id=b_admin.tenant_id, role="admin"),
                                        action="settings_changed", limit=10)]
    assert any("none" in str(e["detail"]) for e in changes)
