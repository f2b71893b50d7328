"""LLM cost governance: price per call, a per-tenant monthly budget checked BEFORE each call, and every
call's tokens and cost recorded (failed calls too) through the repository.

Why a wrapper (`GovernedLLM`) with the same protocol as a client: whoever calls an LLM — the planner, the
synthesizer — gets governance by construction instead of remembering to check and record. Over budget,
the call is not made (BudgetExceeded), and the caller answers offline with a visible warning.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ecomintel.config import Settings
from ecomintel.db.repository import Repository, utcnow
from ecomintel.errors import BudgetExceeded
from ecomintel.llm.client import LLMClient, LLMError, LLMReply
from ecomintel.observability import observe_llm, observe_llm_budget


def price_for(model: str, prices: dict[str, tuple[float, float]]) -> tuple[float, float]:
    """USD per million (prompt, completion) tokens: exact model name, else the longest price-table name
    the model starts with ("gpt-4o-mini-2024-07-18" → "gpt-4o-mini"), else "*", else free."""
    if model in prices:
        return prices[model]
    prefixes = [name for name in prices if name != "*" and model.startswith(name)]
    if prefixes:
        return prices[max(prefixes, key=len)]
    return prices.get("*", (0.0, 0.0))


def cost_usd(model: str, prompt_tokens: int, completion_tokens: int, prices: dict[str, tuple[float, float]]) -> float:
    prompt_price, completion_price = price_for(model, prices)
    return (prompt_tokens * prompt_price + completion_tokens * completion_price) / 1_000_000


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_spend(repo: Repository, now: datetime | None = None) -> float:
    """The tenant's LLM spend (USD) since the start of `now`'s month (UTC)."""
    frame = repo.llm_usage_since(month_start(now or utcnow()))
    return float(frame["cost_usd"].sum()) if len(frame) else 0.0


class GovernedLLM:
    """An `LLMClient` that refuses calls over the tenant's monthly budget and records every call."""

    def __init__(self, client: LLMClient, repo: Repository, settings: Settings, purpose: str = "plan") -> None:
        self.client = client
        self.repo = repo
        self.settings = settings
        self.purpose = purpose
        self.provider = client.provider
        self.model = client.model

    def check_budget(self, now: datetime | None = None) -> None:
        budget = self.settings.llm_monthly_budget_usd
        spent = month_spend(self.repo, now)
        observe_llm_budget(self.repo.tenant_id, spent, budget)
        if spent >= budget:
            raise BudgetExceeded(
                f"This month's LLM budget (${budget:.2f}) is used up (${spent:.2f} spent).",
                "Raise ECOMINTEL_LLM_MONTHLY_BUDGET_USD, or wait for next month.")

    def _record(self, prompt_tokens: int, completion_tokens: int, ok: bool, model: str | None = None) -> None:
        used = model or self.model
        cost = cost_usd(used, prompt_tokens, completion_tokens, self.settings.llm_prices)
        self.repo.record_llm_usage(
            provider=self.provider, model=used[:100], purpose=self.purpose[:40], prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens, cost_usd=cost, ok=ok)
        observe_llm(provider=self.provider, model=used[:100], tenant_id=self.repo.tenant_id,
                    prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, cost_usd=cost)

    def _governed(self, call: Any, *args: Any) -> LLMReply:
        self.check_budget()
        try:
            reply: LLMReply = call(*args)
        except LLMError as exc:
            self._record(exc.prompt_tokens, exc.completion_tokens, ok=False)
            raise
        except Exception:
            self._record(0, 0, ok=False)
            raise
        self._record(reply.prompt_tokens, reply.completion_tokens, ok=True, model=self.model)
        return reply

    def complete_json(self, system: str, user: str, schema: dict[str, Any]) -> LLMReply:
        return self._governed(self.client.complete_json, system, user, schema)

    def complete_text(self, system: str, user: str) -> LLMReply:
        return self._governed(self.client.complete_text, system, user)


def usage_summary(repo: Repository, now: datetime | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """This month's LLM use for the Settings page: calls, tokens, cost, budget left, and per model/purpose."""
    now = now or utcnow()
    frame = repo.llm_usage_since(month_start(now))
    rows: list[dict[str, Any]] = [
        {"provider": str(r["provider"]), "model": str(r["model"]), "purpose": str(r["purpose"]),
         "calls": int(r["calls"]), "prompt_tokens": int(r["prompt_tokens"] or 0),
         "completion_tokens": int(r["completion_tokens"] or 0), "cost_usd": float(r["cost_usd"] or 0.0)}
        for r in frame.to_dict("records")]
    spent = sum(r["cost_usd"] for r in rows)
    summary: dict[str, Any] = {
        "month": month_start(now).strftime("%Y-%m"), "calls": sum(r["calls"] for r in rows),
        "prompt_tokens": sum(r["prompt_tokens"] for r in rows),
        "completion_tokens": sum(r["completion_tokens"] for r in rows), "cost_usd": spent, "by_model": rows}
    if settings is not None:
        summary["budget_usd"] = settings.llm_monthly_budget_usd
        summary["remaining_usd"] = max(settings.llm_monthly_budget_usd - spent, 0.0)
    return summary
