"""Each public module exports exactly its curated, sorted public names."""

from __future__ import annotations

import importlib
import subprocess
import sys
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
    # dir(), not vars(): the top level loads its names on first use and lists them in __dir__.
    public = sorted(
        attr
        for attr in dir(module)
        if not attr.startswith("_")
        and attr != "annotations"
        and not isinstance(getattr(module, attr), ModuleType)
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


@pytest.mark.parametrize("name", ["agents_temporal", "agents_temporal.testing"])
def test_module_is_lazy_and_every_name_resolves(name: str) -> None:
    """Importing the module loads no Agents SDK; each name in ``__all__`` still imports.

    A fresh interpreter, so that no other test has imported the Agents SDK already. The top
    level is imported by every process; ``testing`` by ``uv run dev`` for the local server.
    """
    script = f"""
import sys
import {name} as module
heavy = sorted(m for m in ("agents", "openai", "litellm", "mcp") if m in sys.modules)
assert not heavy, f"import {name} loaded {{heavy}}"
for attr in module.__all__:
    exec(f"from {name} import {{attr}}")
    assert getattr(module, attr) is not None, attr
assert sorted(set(module.__all__) - set(dir(module))) == []
try:
    module.NoSuchName
except AttributeError as error:
    assert "NoSuchName" in str(error), error
else:
    raise AssertionError("an unknown name resolved")
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
