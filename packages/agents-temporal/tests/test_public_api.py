"""Each public module exports exactly its curated, sorted public names."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

MODULES = [
    "agents_temporal",
    "agents_temporal.apps",
    "agents_temporal.offline",
    "agents_temporal.workflow",
    "agents_temporal.testing",
    "agents_temporal.sandbox",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_the_sorted_public_names(name: str) -> None:
    module = importlib.import_module(name)
    public = sorted(
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_") and attr != "annotations" and not isinstance(value, ModuleType)
    )
    # Submodules re-exported on purpose (agents_temporal.workflow) are listed too.
    exported_modules = sorted(
        attr for attr in module.__all__ if isinstance(getattr(module, attr), ModuleType)
    )
    assert module.__all__ == sorted([*public, *exported_modules])


def test_spec_import_path_names() -> None:
    """The names the specification imports exist under the new import path."""
    import agents_temporal
    import agents_temporal.testing
    import agents_temporal.workflow

    for attr in ("OpenAIAgentsPlugin", "ModelActivityParameters", "AgentsWorkflowError"):
        assert hasattr(agents_temporal, attr)
    assert callable(agents_temporal.workflow.activity_as_tool)
    for attr in ("AgentEnvironment", "TestModel", "ResponseBuilders", "TestModelProvider"):
        assert hasattr(agents_temporal.testing, attr)
