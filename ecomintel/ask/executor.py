"""Executor: run a plan's agents in parallel, each with a time limit, under a process-wide concurrency cap.

Why threads: agents spend their time in the database (SQLite and psycopg release the GIL), so a thread
pool gives real parallelism without shipping the repository to another process.
Why a process-wide cap: several questions asked at once (app sessions, a worker's jobs) must not open
unbounded database work; extra agents wait in a queue for a slot (`settings.max_concurrent_agents`).
Why statuses instead of exceptions: a failing or late agent degrades the report ("failed"/"timeout" plus a
warning) and the rest of the answer is still delivered. A timed-out agent cannot be killed (Python threads
cannot be); it finishes in the background, keeps its slot until then, and its result is discarded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from ecomintel.agents.base import AgentResult
from ecomintel.agents.registry import agent_class, get_agent
from ecomintel.ask.plan import Plan
from ecomintel.config import Settings
from ecomintel.db.repository import Repository
from ecomintel.tracing import traced

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]

_SLOTS_LOCK = threading.Lock()
_SLOTS: dict[int, threading.BoundedSemaphore] = {}


def agent_slots(limit: int) -> threading.BoundedSemaphore:
    """The process-wide semaphore for a concurrency limit (one per distinct limit value, created once)."""
    limit = max(1, int(limit))
    with _SLOTS_LOCK:
        if limit not in _SLOTS:
            _SLOTS[limit] = threading.BoundedSemaphore(limit)
        return _SLOTS[limit]


@dataclass
class _Run:
    """Book-keeping of one agent: when it was queued and when it got a slot."""

    name: str
    queued_at: float
    started_at: float | None = None


def _run_one(run: _Run, repo: Repository, plan: Plan, slots: threading.BoundedSemaphore,
             give_up: threading.Event) -> AgentResult:
    with slots:
        if give_up.is_set():  # the question already timed out while this agent waited in the queue
            return AgentResult(agent=run.name, status="timeout")
        run.started_at = time.perf_counter()
        agent = get_agent(run.name)
        result = agent.run(repo.ctx, repo, plan)
        if not result.elapsed_ms:
            result.elapsed_ms = int((time.perf_counter() - run.started_at) * 1000)
        return result


def agent_time_budget(name: str) -> float:
    """The seconds an agent says its analysis needs at least (`time_budget_s`; 0 when it says nothing): a
    year of reviews' topics or a whole data-quality run cannot fit the quick answers' few seconds, and a
    timeout would leave the analyst with nothing."""
    try:
        return float(getattr(agent_class(name), "time_budget_s", 0.0))
    except KeyError:
        return 0.0


def _failed(name: str, exc: BaseException, elapsed_ms: int) -> AgentResult:
    text = str(exc) or exc.__class__.__name__
    return AgentResult(agent=name, status="failed", confidence=0.0, elapsed_ms=elapsed_ms,
                       warnings=[f"The {name} analysis failed ({exc.__class__.__name__}: {text[:200]}); "
                                 "its part of the answer is missing."])


def _timed_out(name: str, timeout_s: float, queued: bool) -> AgentResult:
    where = "waiting for a free slot" if queued else "running"
    return AgentResult(agent=name, status="timeout", confidence=0.0, elapsed_ms=int(timeout_s * 1000),
                       warnings=[f"The {name} analysis did not finish within {timeout_s:g} s ({where}); "
                                 "its part of the answer is missing."])


@traced("ask.agents")
def run_agents(plan: Plan, *, repo: Repository, settings: Settings, progress: Progress | None = None,
               timeout_s: float | None = None) -> list[AgentResult]:
    """Run `plan.agents` in parallel, each given the validated Plan; one AgentResult per agent, in the
    plan's order. Never raises for agent problems. Each agent's limit is the mode's (settings.quick_timeout_s /
    deep_timeout_s) or the agent's own `time_budget_s` when larger; `timeout_s` overrides both. An agent
    waiting for a slot also gives up after its limit."""
    names = list(dict.fromkeys(plan.agents))
    if timeout_s is None:
        mode_limit = settings.deep_timeout_s if plan.mode == "deep" else settings.quick_timeout_s
        limits = {name: max(mode_limit, agent_time_budget(name)) for name in names}
    else:
        limits = dict.fromkeys(names, timeout_s)
    slots = agent_slots(settings.max_concurrent_agents)
    give_up = threading.Event()
    results: dict[str, AgentResult] = {}
    runs: dict[Future[AgentResult], _Run] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, len(names)), thread_name_prefix="agent")
    try:
        for name in names:
            run = _Run(name=name, queued_at=time.perf_counter())
            runs[pool.submit(_run_one, run, repo, plan, slots, give_up)] = run
        pending = set(runs)
        done_count = 0
        while pending:
            now = time.perf_counter()
            deadlines = [(runs[f].started_at or runs[f].queued_at) + limits[runs[f].name] for f in pending]
            finished, pending = wait(pending, timeout=max(0.0, min(deadlines) - now) + 0.01,
                                     return_when=FIRST_COMPLETED)
            for fut in finished:
                run = runs[fut]
                try:
                    results[run.name] = fut.result()
                except Exception as exc:  # an agent bug degrades the report; it never breaks it
                    log.exception("agent %s failed", run.name)
                    elapsed = int((time.perf_counter() - (run.started_at or run.queued_at)) * 1000)
                    results[run.name] = _failed(run.name, exc, elapsed)
                done_count += 1
                if progress:
                    progress(done_count / len(names), f"{run.name}: {results[run.name].status}")
            now = time.perf_counter()
            for fut in list(pending):
                run = runs[fut]
                if now >= (run.started_at or run.queued_at) + limits[run.name]:
                    pending.discard(fut)
                    fut.cancel()
                    results[run.name] = _timed_out(run.name, limits[run.name], queued=run.started_at is None)
                    done_count += 1
                    if progress:
                        progress(done_count / len(names), f"{run.name}: timeout")
    finally:
        give_up.set()
        pool.shutdown(wait=False, cancel_futures=True)
    return [results[name] for name in names]
