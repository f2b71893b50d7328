"""ask(): a plain-language question in, one Report dict out — plan, cache, parallel agents, synthesis,
history and audit.

Why this is the only entry point: the Ask page, the CLI (`ecomintel ask`), background jobs
(`ask.tasks.run_ask_job`) and the bench all call `ask`, so they give the same answer to the same question.

Report (JSON): {question, status (ok | partial | cannot_answer), not_understood, intent, mode, planner, agents:[{agent,status,elapsed_ms,warnings}], summary,
confidence, metrics, tables:[{title, columns, rows}], charts:[{title, figure}], evidence, warnings,
periods:[{start,end,label}], data_version, cached, elapsed_ms, report_id, followups, findings, definitions,
summary_source, plan}. `tables[0]` is the primary answer (product rankings start ["sku", "product", <metric>]);
`metrics` holds plain numbers (revenue, units, orders, customers, aov; with two periods also
<m>_previous, <m>_change, <m>_change_pct). A cannot_answer report also has `missing` and `suggestions`
and no metrics, tables or charts (docs/ask-contract.md).

Why the cache key is the plan (not the question text): "top 10 products Nov 2011" and "best sellers in
November 2011" are the same plan, so they share one cached answer; the key also carries the tenant and its
data_version, so a new upload invalidates it (ecomintel.cache).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ecomintel.ask.plan import Plan
from ecomintel.ask.planner import make_plan
from ecomintel.cache import Cache, cache_key
from ecomintel.config import Settings
from ecomintel.errors import InputError
from ecomintel.observability import observe_ask
from ecomintel.permissions import require
from ecomintel.tracing import traced

if TYPE_CHECKING:  # the agents (pandas, plotly) are imported when a plan needs them, not for a cached answer
    from ecomintel.ask.synthesizer import TextLLM
    from ecomintel.db.repository import Repository

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
MAX_QUESTION_CHARS = 500


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


@traced("ask")
def ask(question: str, *, repo: Repository, settings: Settings, mode: str = "quick", cache: Cache | None = None,
        llm: Any | None = None, progress: Progress | None = None, save: bool = True) -> dict[str, Any]:
    """Answer `question` for repo's tenant. Quick mode targets < 5 s, deep < 30 s (per-agent limits in
    settings). Raises InputError for an empty question; agent failures only degrade the report."""
    require(repo.ctx, "ask")  # a viewer reads reports but does not ask (ecomintel/permissions.py)
    started = time.perf_counter()
    question = (question or "").strip()
    if not question:
        raise InputError("Please type a question.", "For example: top 10 products by revenue last month.")
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(f"The question is longer than {MAX_QUESTION_CHARS} characters.",
                         "Ask one thing at a time, in a sentence or two.")
    if mode not in ("quick", "deep"):
        raise InputError(f"Unknown mode {mode!r}.", "Use quick or deep.")
    if progress:
        progress(0.02, "planning")
    outcome = make_plan(question, repo=repo, settings=settings, llm=llm, mode=mode)
    return answer_plan(outcome.plan, question=question, repo=repo, settings=settings, cache=cache, llm=llm,
                       progress=progress, save=save, planner_warnings=outcome.warnings, started=started)


def answer_plan(plan: Plan, *, question: str, repo: Repository, settings: Settings, cache: Cache | None = None,
                llm: TextLLM | None = None, progress: Progress | None = None, save: bool = True,
                planner_warnings: Sequence[str] = (), started: float | None = None) -> dict[str, Any]:
    """Everything after planning: cache lookup, agents, synthesis, cache store, history, audit."""
    started = time.perf_counter() if started is None else started
    plan_dict = plan.model_dump(mode="json")
    data_version = repo.data_version()
    if plan.intent == "cannot_answer":
        from ecomintel.ask.synthesizer import cannot_answer_report

        refusal = cannot_answer_report(question, plan_dict, data_version=data_version,
                                       planner_warnings=planner_warnings)
        return _finish(refusal, plan, plan_dict, question=question, repo=repo, data_version=data_version,
                       started=started, progress=progress, save=save)
    key = cache_key(repo.tenant_id, data_version, plan_dict)
    report: dict[str, Any] | None = None
    if cache is not None:
        hit = cache.get(key)
        if isinstance(hit, dict):
            report = dict(hit)
            report.update(question=question, planner=plan_dict.get("planner"), plan=plan_dict, cached=True,
                          report_id=None)
            report["warnings"] = list(dict.fromkeys([*planner_warnings, *report.get("warnings", [])]))
            if progress:
                progress(1.0, "answered from cache")
    if report is None:
        from ecomintel.ask.executor import run_agents
        from ecomintel.ask.synthesizer import synthesize

        if progress:
            progress(0.1, "running " + ", ".join(plan.agents))

        def agent_progress(fraction: float, message: str) -> None:
            if progress:
                progress(0.1 + 0.8 * fraction, message)

        repo.refresh_sales_statistics()  # PostgreSQL after a bulk load: fresh planner statistics first
        results = run_agents(plan, repo=repo, settings=settings, progress=agent_progress)
        if progress:
            progress(0.92, "writing the report")
        report = synthesize(question, plan_dict, results, data_version=data_version,
                            data_range=repo.sales_data_range(), llm=llm, planner_warnings=planner_warnings)
        from ecomintel.ask.quality_gate import apply_quality_gate

        report = apply_quality_gate(report, plan, repo)  # data-quality warnings + confidence (issue 11)
        if cache is not None and all(r.status == "ok" for r in results):
            cache.set(key, report, settings.cache_ttl_s)  # degraded answers are not cached
    return _finish(report, plan, plan_dict, question=question, repo=repo, data_version=data_version,
                   started=started, progress=progress, save=save)


def _finish(report: dict[str, Any], plan: Plan, plan_dict: dict[str, Any], *, question: str, repo: Repository,
            data_version: int, started: float, progress: Progress | None, save: bool) -> dict[str, Any]:
    """Timing, metrics, history and audit: the same for every report, answered or not."""
    report["elapsed_ms"] = _ms(started)
    observe_ask(report["elapsed_ms"] / 1000, plan.mode, bool(report.get("cached")), planner=plan.planner,
                intent=plan.intent, status=report.get("status"), agents=report.get("agents") or ())
    if save:
        report["report_id"] = repo.save_report(
            question=question, mode=plan.mode, intent=plan.intent, plan=plan_dict, report=report,
            confidence=report.get("confidence"), data_version=data_version, elapsed_ms=report["elapsed_ms"])
    repo.audit("ask", {"question": question[:200], "intent": plan.intent, "mode": plan.mode,
                       "status": report.get("status"),
                       "planner": plan.planner, "cached": bool(report.get("cached")),
                       "report_id": report.get("report_id"), "elapsed_ms": report["elapsed_ms"],
                       "agents": {a["agent"]: a["status"] for a in report.get("agents", [])}})
    if progress:
        progress(1.0, "done")
    return report
