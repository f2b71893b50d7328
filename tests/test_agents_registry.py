"""The agent registry: each entry loads the class its name says, and naming the agents imports none of them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ecomintel.agents.registry import REGISTRY, agent_class, get_agent

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", [n for n in REGISTRY if not n.startswith("test_")])
def test_each_entry_loads_the_agent_of_its_name(name: str) -> None:
    cls = agent_class(name)
    assert cls.name == name and callable(getattr(get_agent(name), "run", None))


def test_unknown_agents_name_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known"):
        agent_class("no_such_agent")


def test_the_registry_imports_an_agent_only_when_it_is_asked_for() -> None:
    code = ("import sys, ecomintel.agents.registry as r; before = [m for m in sys.modules if m.startswith("
            "'ecomintel.agents.') and m not in ('ecomintel.agents.registry', 'ecomintel.agents.base')]; "
            "r.get_agent('pricing'); print(len(before), 'ecomintel.agents.pricing' in sys.modules, "
            "'ecomintel.agents.forecast' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["0", "True", "False"]
