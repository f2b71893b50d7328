"""The agents the executor can run, by name: the one place where agents are registered.

Why a literal table and not decorators: which agents exist is visible in one file, and nothing depends on
a module having been imported for its side effect. A new agent is one loader function and one entry here;
tests may add their own agents with `register` (they use `test_*` names the app never plans).
Why loader functions (an import inside each) rather than imports at the top: every `ecomintel ask` is a new
process, and importing all seven agents (pricing, reviews, forecasting, data quality …) to answer a sales
question cost it ~0.1 s; an agent's module is imported the first time that agent is asked for.
"""

from __future__ import annotations

from collections.abc import Callable

from ecomintel.agents.base import Agent


def _sales() -> type[Agent]:
    from ecomintel.agents.sales import SalesAgent
    return SalesAgent


def _sales_deep() -> type[Agent]:
    from ecomintel.agents.sales import SalesDeepAgent
    return SalesDeepAgent


def _customers() -> type[Agent]:
    from ecomintel.agents.customers import CustomersAgent
    return CustomersAgent


def _sentiment() -> type[Agent]:
    from ecomintel.agents.sentiment import SentimentAgent
    return SentimentAgent


def _pricing() -> type[Agent]:
    from ecomintel.agents.pricing import PricingAgent
    return PricingAgent


def _data_qa() -> type[Agent]:
    from ecomintel.agents.data_qa import DataQAAgent
    return DataQAAgent


def _forecast() -> type[Agent]:
    from ecomintel.agents.forecast import ForecastAgent
    return ForecastAgent


# name → loader of the agent's class (tests/test_agents_registry.py checks each class's `name` is its key)
REGISTRY: dict[str, Callable[[], type[Agent]]] = {
    "sales": _sales,
    "sales_deep": _sales_deep,
    "customers": _customers,
    "sentiment": _sentiment,
    "pricing": _pricing,
    "data_qa": _data_qa,
    "forecast": _forecast,
}


def register(cls: type[Agent]) -> type[Agent]:
    """Make an extra agent available under `cls.name` (tests and plugins; the app's agents are listed above)."""
    REGISTRY[cls.name] = lambda: cls
    return cls


def agent_class(name: str) -> type[Agent]:
    """The class registered as `name` (KeyError names the known ones)."""
    if name not in REGISTRY:
        raise KeyError(f"unknown agent {name!r}; known: {sorted(REGISTRY)}")
    return REGISTRY[name]()


def get_agent(name: str) -> Agent:
    """A fresh instance of the agent registered as `name` (KeyError names the known ones)."""
    return agent_class(name)()
