"""Sandbox agents on the SDK's real unix_local backend: real processes, real files."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle

from tests.replaying import replay, save_history
from tests.sandbox.support import local_providers, plugin, sandbox_worker, scripted
from tests.sandbox.workflows import WORKFLOWS, SandboxShellAgent, SandboxTask


def exists(path: str) -> bool:
    return Path(path).exists()


async def activity_types(handle: WorkflowHandle[Any, Any]) -> list[str]:
    history = await handle.fetch_history()
    return [
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]


async def test_a_sandbox_agent_runs_commands_in_one_workspace_through_activities(
    temporal_client: Client, task_queue: str
) -> None:
    model = scripted("echo hello from the sandbox > note.txt", "cat note.txt; pwd")
    async with sandbox_worker(temporal_client, task_queue, plugin(model)) as plugged:
        handle = await plugged.start_workflow(
            SandboxShellAgent.run,
            SandboxTask("Write a note, then read it"),
            id=f"sandbox-shell-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=task_queue,
        )
        assert await handle.result() == "done"

    last_outputs = model.requests[-1].tool_outputs()
    assert "hello from the sandbox" in last_outputs[-1]
    workspace = re.search(r"^(/\S+)$", last_outputs[-1], re.MULTILINE)
    assert workspace is not None, last_outputs[-1]
    # The run deleted the workspace the backend made for it.
    assert not exists(workspace.group(1))

    types = await activity_types(handle)
    sandbox_types = [t for t in types if t.startswith("local-")]
    assert sandbox_types[0] == "local-sandbox_client_create"
    assert sandbox_types.count("local-sandbox_session_pty_exec_start") == 2
    assert sandbox_types[-1] == "local-sandbox_client_delete"
    await save_history(handle, "sandbox_shell")


async def test_each_backend_is_reached_by_its_name(
    temporal_client: Client, task_queue: str
) -> None:
    model = scripted("echo on the second backend", "echo again")
    agents_plugin = plugin(model, local_providers("first", "second"))
    async with sandbox_worker(temporal_client, task_queue, agents_plugin) as plugged:
        handle = await plugged.start_workflow(
            SandboxShellAgent.run,
            SandboxTask("Say where you run", backend="second"),
            id=f"sandbox-backends-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=task_queue,
        )
        assert await handle.result() == "done"

    sandbox_types = [t for t in await activity_types(handle) if "-sandbox_" in t]
    assert sandbox_types
    assert all(t.startswith("second-sandbox_") for t in sandbox_types)
    assert "on the second backend" in model.requests[-1].tool_outputs()[0]


async def test_the_sandbox_shell_history_replays() -> None:
    await replay("sandbox_shell", WORKFLOWS, plugin=plugin(scripted()))
