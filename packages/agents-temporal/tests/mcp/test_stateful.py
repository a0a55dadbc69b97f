"""Stateful MCP sessions: state kept across calls, and a session whose server is killed."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from agents import ModelResponse
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle

from agents_temporal.testing import ModelRequest, ResponseBuilders, TestModel
from tests.mcp.support import (
    activity_types,
    agent_worker,
    notebook_providers,
    save_history_if_regenerating,
    start,
)
from tests.mcp.workflows import RecoveryReport, SessionRecoveryWorkflow, StatefulNotebookWorkflow

SESSION = "agents_temporal.mcp.StatefulNotebook.session"
HEARTBEAT_SECONDS = 6.0


async def eventually(check: Callable[[], Awaitable[bool]], what: str, within: float = 60) -> None:
    """Wait until ``check`` holds, polling observable state."""
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def note_keeper() -> TestModel:
    """Keeps what it is asked to remember with the ``remember`` tool, answers with ``recall``."""

    def respond(request: ModelRequest) -> ModelResponse:
        outputs = request.tool_outputs()
        if outputs:
            return ResponseBuilders.output_message(outputs[-1])
        text = request.last_user_text()
        if text.startswith("Please remember: "):
            note = text.removeprefix("Please remember: ")
            return ResponseBuilders.tool_call(json.dumps({"note": note}), "remember")
        return ResponseBuilders.tool_call("{}", "recall")

    return TestModel(respond)


async def test_session_keeps_state_between_calls(temporal_client: Client, task_queue: str) -> None:
    model = note_keeper()
    async with agent_worker(temporal_client, task_queue, notebook_providers(), model) as client:
        handle = await start(client, StatefulNotebookWorkflow.run, "lunch at noon", task_queue)
        recalled = await handle.result()
    # The recall ran as a separate activity after the agent's run: only a session that kept
    # one server process for both calls still has the note.
    assert recalled == "lunch at noon"
    mcp = [name for name in await activity_types(handle) if name.startswith("agents_temporal.mcp")]
    assert mcp == [
        SESSION,
        "agents_temporal.mcp.StatefulNotebook.list_tools",
        "agents_temporal.mcp.StatefulNotebook.call_tool",
        "agents_temporal.mcp.StatefulNotebook.call_tool",
        "agents_temporal.mcp.StatefulNotebook.close_session",
    ]
    await save_history_if_regenerating("mcp_stateful", handle)


async def session_failed(handle: WorkflowHandle[Any, Any]) -> bool:
    history = await handle.fetch_history()
    return any(
        event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED for event in history.events
    )


async def test_killed_server_fails_the_session_within_the_heartbeat_timeout(
    temporal_client: Client, task_queue: str, tmp_path: Path
) -> None:
    pid_file = tmp_path / "notebook.pid"
    providers = notebook_providers(pid_file=str(pid_file))
    async with agent_worker(temporal_client, task_queue, providers, note_keeper()) as client:
        handle = await start(client, SessionRecoveryWorkflow.run, HEARTBEAT_SECONDS, task_queue)

        async def remembered() -> bool:
            return await handle.query(SessionRecoveryWorkflow.remembered)

        await eventually(remembered, "the note to be kept")
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        killed_at = time.monotonic()
        await eventually(lambda: session_failed(handle), "the session activity to fail")
        noticed_after = time.monotonic() - killed_at
        await handle.signal(SessionRecoveryWorkflow.go_on)
        report = await handle.result()

    assert noticed_after < HEARTBEAT_SECONDS
    assert isinstance(report, RecoveryReport)
    assert report.failure_type == "DedicatedWorkerFailure"
    assert "StatefulNotebook" in report.failure_message
    # The agent's second run got as far as the model's call to `recall`: the failure came
    # through the Agents SDK's tool handling, which must not turn it into a tool result.
    assert report.notes_before_failure == []
    assert (await activity_types(handle)).count("invoke_model_activity") == 3
    # The new session is a new server process: the note died with the old one.
    assert report.recalled_after_recovery == "(no notes)"

    history = await handle.fetch_history()
    sessions = [
        event.activity_task_scheduled_event_attributes
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and event.activity_task_scheduled_event_attributes.activity_type.name == SESSION
    ]
    assert len(sessions) == 2
    assert sessions[0].heartbeat_timeout.ToTimedelta().total_seconds() == HEARTBEAT_SECONDS
    assert sessions[0].retry_policy.maximum_attempts == 1
    await save_history_if_regenerating("mcp_stateful_recovery", handle)
