"""Cost governance on SQLite and PostgreSQL: prices, per-call records (failed calls too), the monthly
per-tenant budget checked before a call, and the Settings-page summary."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from ecomintel.config import load_settings
from ecomintel.db.repository import Repository, utcnow
from ecomintel.errors import BudgetExceeded
from ecomintel.llm.client import LLMError, make_llm
from ecomintel.llm.usage import GovernedLLM, cost_usd, month_spend, price_for, usage_summary
from tests.conftest import new_tenant_ctx
from tests.llm_stub import LLMStub, Reply, llm_stub_fixture  # noqa: F401  (fixture "llm_stub")

PRICES = load_settings({}).llm_prices


def test_price_table_lookup() -> None:
    assert price_for("gpt-4o-mini", PRICES) == (0.15, 0.60)
    assert price_for("gpt-4o-mini-2024-07-18", PRICES) == (0.15, 0.60)  # dated variants
    assert price_for("gpt-4o", PRICES) == (2.50, 10.00)
    assert price_for("llama3.1:8b", PRICES) == (0.50, 1.50)  # "*" fallback
    assert price_for("x", {}) == (0.0, 0.0)
    assert cost_usd("gpt-4o-mini", 1_000_000, 1_000_000, PRICES) == pytest.approx(0.75)


def governed(stub: LLMStub, repo: Repository, budget: str = "20") -> GovernedLLM:
    settings = load_settings({"ECOMINTEL_LLM_BASE_URL": stub.url, "ECOMINTEL_LLM_TIMEOUT_S": "5",
                              "ECOMINTEL_LLM_MONTHLY_BUDGET_USD": budget})
    client = make_llm(settings)
    assert client is not None
    return GovernedLLM(client, repo, settings, purpose="plan")


def test_every_call_is_recorded_with_its_cost(engine: sa.Engine, llm_stub: LLMStub) -> None:
    repo = Repository(engine, new_tenant_ctx(engine, "usage"))
    llm = governed(llm_stub, repo)
    llm_stub.add(Reply.json({"a": 1}, prompt_tokens=1000, completion_tokens=100), Reply.text("{broken"))
    llm.complete_json("s", "u", {"type": "object"})
    with pytest.raises(LLMError):
        llm.complete_json("s", "u", {"type": "object"})
    with pytest.raises(LLMError):  # the script is empty: HTTP 503 (retried, then failed), no tokens
        llm.complete_text("s", "u")
    with repo.engine.connect() as conn:  # as the tenant: raw SQL under RLS
        rows = conn.execute(sa.text("SELECT prompt_tokens, completion_tokens, cost_usd, ok FROM llm_usage "
                                    "WHERE tenant_id = :t ORDER BY id"), {"t": repo.tenant_id}).all()
    assert [(r[0], r[1], bool(r[3])) for r in rows] == [(1000, 100, True), (120, 30, False), (0, 0, False)]
    assert rows[0][2] == pytest.approx((1000 * 0.15 + 100 * 0.60) / 1e6)
    assert rows[1][2] == pytest.approx((120 * 0.15 + 30 * 0.60) / 1e6)
    summary = usage_summary(repo, utcnow(), llm.settings)
    assert summary["calls"] == 3 and summary["prompt_tokens"] == 1120
    assert summary["cost_usd"] == pytest.approx(rows[0][2] + rows[1][2])
    assert summary["remaining_usd"] == pytest.approx(20 - summary["cost_usd"])
    assert summary["by_model"][0]["model"] == "gpt-4o-mini"


def test_budget_is_checked_before_the_call_and_is_per_tenant(engine: sa.Engine, llm_stub: LLMStub) -> None:
    spender = Repository(engine, new_tenant_ctx(engine, "spender"))
    other = Repository(engine, new_tenant_ctx(engine, "other"))
    spender.record_llm_usage(provider="openai", model="gpt-4o", purpose="plan", prompt_tokens=10,
                             completion_tokens=10, cost_usd=1.25)
    assert month_spend(spender) == pytest.approx(1.25)
    llm = governed(llm_stub, spender, budget="1")
    llm_stub.add(Reply.json({"a": 1}))
    with pytest.raises(BudgetExceeded, match=r"budget \(\$1.00\) is used up"):
        llm.complete_json("s", "u", {"type": "object"})
    assert llm_stub.requests == []  # refused before any request left the process
    # another tenant's budget is untouched by this tenant's spend
    assert governed(llm_stub, other, budget="1").complete_json("s", "u", {"type": "object"}).data == {"a": 1}


def test_spend_counts_this_month_only(engine: sa.Engine) -> None:
    repo = Repository(engine, new_tenant_ctx(engine, "months"))
    repo.record_llm_usage(provider="openai", model="m", purpose="plan", prompt_tokens=1, completion_tokens=1,
                          cost_usd=3.0)
    now = utcnow()
    assert month_spend(repo, now) == pytest.approx(3.0)
    next_month = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1)
    assert month_spend(repo, next_month) == 0.0
    assert usage_summary(repo, next_month)["calls"] == 0
