"""Each public module of agent_stack exports exactly its curated, sorted public names."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

MODULES = [
    "agent_stack.apps",
    "agent_stack.connection",
    "agent_stack.health",
    "agent_stack.settings",
    "agent_stack.signals",
    "agent_stack.tracing",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_the_sorted_public_names(name: str) -> None:
    module = importlib.import_module(name)
    public = sorted(
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_") and attr != "annotations" and not isinstance(value, ModuleType)
    )
    assert module.__all__ == public
