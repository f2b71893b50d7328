"""The agents the executor can run, by name: the one place where agents are registered.

Why a literal table and not decorators: which agents exist is visible in one file, and nothing depends on
a module having been imported for its side effect. A new agent is one import and one entry here; tests
may add their own agents with `register` (they use `test_*` names the app never plans).
"""

from __future__ import annotations

from ecomintel.agents.base import Agent
from ecomintel.agents.customers import CustomersAgent
from ecomintel.agents.data_qa import DataQAAgent
from ecomintel.agents.forecast import ForecastAgent
from ecomintel.agents.pricing import PricingAgent
from ecomintel.agents.sales import SalesAgent, SalesDeepAgent
from ecomintel.agents.sentiment import SentimentAgent

REGISTRY: dict[str, type[Agent]] = {
    SalesAgent.name: SalesAgent,
    SalesDeepAgent.name: SalesDeepAgent,
    CustomersAgent.name: CustomersAgent,
    SentimentAgent.name: SentimentAgent,
    PricingAgent.name: PricingAgent,
    DataQAAgent.name: DataQAAgent,
    ForecastAgent.name: ForecastAgent,
}


def register(cls: type[Agent]) -> type[Agent]:
    """Make an extra agent available under `cls.name` (tests and plugins; the app's agents are listed above)."""
    REGISTRY[cls.name] = cls
    return cls


def get_agent(name: str) -> Agent:
    """A fresh instance of the agent registered as `name` (KeyError names the known ones)."""
    if name not in REGISTRY:
        raise KeyError(f"unknown agent {name!r}; known: {sorted(REGISTRY)}")
    return REGISTRY[name]()
