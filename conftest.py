"""Session-wide test setup: quiet third-party defaults and a real local Temporal server."""

import importlib.util
import os

import pytest

# No test may export traces to OpenAI or fetch LiteLLM's cost map from the internet.
os.environ.setdefault("OPENAI_AGENTS_DISABLE_TRACING", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

pytest_plugins = ["agents_temporal.pytest_plugin", "tests.timeout_report"]

# Root suites that still run on the example domain (its store, refunds and guardrails) across
# the whole stack. A fork that deleted the example (README.md, "Remove the example") has nothing
# for them to run: they are left out instead of failing to import. Delete or rewrite them for
# your own app when you like; the generic parts are tested on stack_testapp either way.
EXAMPLE_SUITES = [
    "tests/browser/test_console_browser.py",
    "tests/browser/test_console_switch_app.py",
    "tests/browser/test_new_app_browser.py",
    "tests/browser/test_stop_turn_browser.py",
    "tests/reliability/test_concurrent_conversations.py",
    "tests/reliability/test_model_faults.py",
    "tests/reliability/test_properties.py",
    "tests/reliability/test_temporal_server_restart.py",
    "tests/reliability/test_worker_churn.py",
    "tests/reliability/test_worker_kills.py",
    "tests/reliability/test_worker_warm_up.py",
    "tests/security",
]
if importlib.util.find_spec("support_agents") is None:
    collect_ignore = EXAMPLE_SUITES


@pytest.fixture
def subprocess_env(pytestconfig: pytest.Config) -> dict[str, str]:
    """``os.environ`` for a child Python process that imports test modules.

    pytest puts the ``pythonpath`` folders of pyproject.toml on its own ``sys.path`` only; a
    child such as ``python -m tests.core.crash_worker`` needs them on ``PYTHONPATH`` to see the
    same ``tests`` namespace package, whatever its working directory.
    """
    folders = [str(path) for path in pytestconfig.getini("pythonpath")]
    if inherited := os.environ.get("PYTHONPATH"):
        folders.append(inherited)
    return {**os.environ, "PYTHONPATH": os.pathsep.join(folders)}
