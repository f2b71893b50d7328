"""Test agents for the executor and ask-service tests: real implementations of the Agent protocol that
fail, block or count concurrency, registered under `test_*` names (never used by the app)."""

from __future__ import annotations

import threading
import time

from ecomintel.agents.base import AgentResult
from ecomintel.agents.registry import REGISTRY, register
from ecomintel.ask.plan import Plan
from ecomintel.context import RequestContext
from ecomintel.db.repository import Repository

RELEASE = threading.Event()  # set by a test's teardown to let blocked agents finish


class FailingAgent:
    name = "test_failing"
    description = "raises, like an agent with a bug"

    def run(self, ctx: RequestContext, repo: Repository, plan: Plan) -> AgentResult:
        raise RuntimeError("boom: division by zero in a test agent")


class BlockingAgent:
    name = "test_blocking"
    description = "waits until RELEASE is set (at most 30 s), like a stuck query"

    def run(self, ctx: RequestContext, repo: Repository, plan: Plan) -> AgentResult:
        RELEASE.wait(30)
        return AgentResult(agent=self.name, summary="released")


class CountingAgent:
    """Records how many CountingAgents run at the same moment."""

    name = "test_counting"
    description = "counts concurrent runs"
    lock = threading.Lock()
    active = 0
    peak = 0

    def run(self, ctx: RequestContext, repo: Repository, plan: Plan) -> AgentResult:
        with CountingAgent.lock:  # class-wide counters, shared by the registered subclasses
            CountingAgent.active += 1
            CountingAgent.peak = max(CountingAgent.peak, CountingAgent.active)
        time.sleep(0.05)
        with CountingAgent.lock:
            CountingAgent.active -= 1
        return AgentResult(agent=self.name, summary="counted", metrics={"n": 1.0})


def counting_agent(index: int) -> str:
    """Register a CountingAgent under a distinct name (the executor runs each plan agent once)."""
    name = f"test_counting_{index}"
    if name not in REGISTRY:
        register(type(f"CountingAgent{index}", (CountingAgent,), {"name": name}))
    return name


for _cls in (FailingAgent, BlockingAgent):
    if _cls.name not in REGISTRY:
        register(_cls)
