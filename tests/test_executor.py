"""Executor: parallel agents with statuses, timeouts, the process-wide concurrency limit and progress."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import pytest

from ecomintel.ask.executor import agent_slots, run_agents
from ecomintel.ask.plan import Plan
from ecomintel.config import Settings, load_settings
from ecomintel.db.repository import Repository
from tests import ask_helpers
from tests.ask_helpers import CountingAgent, counting_agent


@pytest.fixture
def settings() -> Settings:
    return load_settings({}).replace(quick_timeout_s=0.3, deep_timeout_s=0.6, max_concurrent_agents=4)


@pytest.fixture(autouse=True)
def release_blocked() -> Iterator[None]:
    ask_helpers.RELEASE.clear()
    yield
    ask_helpers.RELEASE.set()  # let any blocked test agent finish


def plan(*agents: str, mode: Literal["quick", "deep"] = "quick") -> Plan:
    return Plan(intent="overview", agents=list(agents), metric="revenue", mode=mode)


def test_failing_agent_degrades_to_status(repo: Repository, settings: Settings) -> None:
    results = run_agents(plan("sales", "test_failing"), repo=repo, settings=settings)
    assert [r.agent for r in results] == ["sales", "test_failing"]
    assert results[0].status == "partial"  # no data in a fresh tenant: answered, with a warning
    failed = results[1]
    assert failed.status == "failed" and failed.confidence == 0.0
    assert "RuntimeError" in failed.warnings[0] and "boom" in failed.warnings[0]


def test_unknown_agent_is_failed_not_raised(repo: Repository, settings: Settings) -> None:
    (result,) = run_agents(plan("no_such_agent"), repo=repo, settings=settings)
    assert result.status == "failed" and "no_such_agent" in result.warnings[0]


def test_late_agent_times_out(repo: Repository, settings: Settings) -> None:
    results = run_agents(plan("test_blocking", "sales"), repo=repo, settings=settings)
    blocked, sales = results
    assert blocked.status == "timeout" and "0.3 s" in blocked.warnings[0]
    assert sales.status in ("ok", "partial")


def test_deep_mode_uses_deep_timeout(repo: Repository, settings: Settings) -> None:
    (blocked,) = run_agents(plan("test_blocking", mode="deep"), repo=repo, settings=settings)
    assert blocked.status == "timeout" and "0.6 s" in blocked.warnings[0]


def test_an_agent_that_needs_longer_gets_its_own_time_budget(repo: Repository, settings: Settings) -> None:
    from ecomintel.agents.registry import register

    register(type("SlowBlocking", (ask_helpers.BlockingAgent,), {"name": "test_blocking_budget", "time_budget_s": 0.9}))
    (blocked,) = run_agents(plan("test_blocking_budget"), repo=repo, settings=settings)
    assert blocked.status == "timeout" and "0.9 s" in blocked.warnings[0]  # not the quick 0.3 s
    (forced,) = run_agents(plan("test_blocking_budget"), repo=repo, settings=settings, timeout_s=0.2)
    assert "0.2 s" in forced.warnings[0]  # an explicit limit still wins


def test_queued_agent_times_out_waiting_for_a_slot(repo: Repository, settings: Settings) -> None:
    one = settings.replace(max_concurrent_agents=1)
    results = run_agents(plan("test_blocking", counting_agent(99)), repo=repo, settings=one)
    statuses = {r.agent: r.status for r in results}
    assert statuses["test_blocking"] == "timeout"
    queued = next(r for r in results if r.agent == "test_counting_99")
    assert queued.status == "timeout" and "waiting for a free slot" in queued.warnings[0]


def test_concurrency_limit_queues_extra_agents(repo: Repository, settings: Settings) -> None:
    CountingAgent.peak = 0
    names = [counting_agent(i) for i in range(4)]
    results = run_agents(plan(*names), repo=repo, settings=settings.replace(max_concurrent_agents=1,
                                                                            quick_timeout_s=10))
    assert [r.status for r in results] == ["ok"] * 4
    assert CountingAgent.peak == 1  # one slot: they ran one after another


def test_slots_are_shared_per_limit() -> None:
    assert agent_slots(3) is agent_slots(3)
    assert agent_slots(3) is not agent_slots(2)


def test_progress_reported_per_finished_agent(repo: Repository, settings: Settings) -> None:
    seen: list[tuple[float, str]] = []
    run_agents(plan("sales", "test_failing", counting_agent(7)), repo=repo, settings=settings,
               progress=lambda f, m: seen.append((f, m)))
    assert [round(f, 2) for f, _ in seen] == [0.33, 0.67, 1.0]
    assert any(m == "test_failing: failed" for _, m in seen)
