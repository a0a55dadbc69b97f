"""The MCP workflows replay their committed histories: a change that breaks determinism fails.

Regenerate the histories with
``REGENERATE_HISTORIES=1 uv run pytest packages/agents-temporal/tests/mcp``.
"""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from agents_temporal import OpenAIAgentsPlugin
from tests.mcp.support import HISTORIES, notebook_providers
from tests.mcp.workflows import WORKFLOWS

NAMES = [
    "mcp_stateless",
    "mcp_approval",
    "mcp_file_assistant",
    "mcp_stateful",
    "mcp_stateful_recovery",
]


@pytest.mark.parametrize("name", NAMES)
async def test_history_replays(name: str) -> None:
    path = HISTORIES / f"{name}.json"
    assert path.exists(), f"{path} is missing: record it with REGENERATE_HISTORIES=1"
    history = WorkflowHistory.from_json(name, path.read_text())
    # Replay runs no activity, so the providers only have to carry the servers' names.
    plugin = OpenAIAgentsPlugin(mcp_server_providers=notebook_providers())
    result = await Replayer(workflows=WORKFLOWS, plugins=[plugin]).replay_workflow(history)
    assert result.replay_failure is None


def _unused_server() -> Any:
    raise AssertionError("replay runs no activity")


async def test_current_form_history_replays() -> None:
    history = WorkflowHistory.from_json(
        "mcp_current_form", (HISTORIES / "mcp_current_form.json").read_text()
    )
    plugin = OpenAIAgentsPlugin(mcp_servers={"notebook": _unused_server})
    result = await Replayer(workflows=WORKFLOWS, plugins=[plugin]).replay_workflow(history)
    assert result.replay_failure is None
