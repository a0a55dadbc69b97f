"""Non-deterministic workflow code is still caught on the plugin's workers.

The plugin runs workflows in Temporal's sandbox with its own runner and builtins (``_plugin.py``,
``_sandbox_builtins.py``); these tests hold it to what the sandbox promises: reading the wall
clock (also through a function-level import) or the global random generator in workflow code
fails the workflow task (so the run stops and retries instead of recording a decision a replay
could not repeat), so does calling a builtin the sandbox refuses (``open``, ``input``,
``breakpoint``), a function tool an agent calls in the workflow is refused the clock too, and a
change in the commands code makes is reported on replay.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Replayer, Worker
from temporalio.workflow import NondeterminismError

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.testing import AgentEnvironment, ResponseBuilders, TestModel
from tests.core.determinism_workflows import (
    CallsRestrictedBuiltin,
    ChangesCommandsAfter,
    ChangesCommandsBefore,
    ReadsWallClock,
    first_step,
    other_step,
)


async def _first_task_failure(handle: WorkflowHandle[Any, Any]) -> str:
    """The failure message of the workflow's first failed workflow task, once there is one."""
    async with asyncio.timeout(30):
        while True:
            history = await handle.fetch_history()
            for event in history.events:
                if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
                    return event.workflow_task_failed_event_attributes.failure.message
            await asyncio.sleep(0.05)


async def _task_failure_on_plugin_worker(
    temporal_client: Client, task_queue: str, workflow_class: Any, argument: str
) -> str:
    """Runs ``workflow_class`` on a plugin worker; the message its first failed task gives."""
    config = temporal_client.config()
    config["plugins"] = [OpenAIAgentsPlugin()]
    client = Client(**config)
    async with Worker(client, task_queue=task_queue, workflows=[workflow_class]):
        handle = await client.start_workflow(
            workflow_class.run,
            argument,
            id=f"guarded-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=task_queue,
        )
        try:
            return await _first_task_failure(handle)
        finally:
            await handle.terminate("the test has seen what it waited for")


@pytest.mark.parametrize(
    ("where", "restricted"),
    [("workflow", "time.time"), ("random", "random.random"), ("imported", "time.time")],
)
async def test_reading_the_clock_or_randomness_fails_the_task(
    where: str, restricted: str, temporal_client: Client, task_queue: str
) -> None:
    message = await _task_failure_on_plugin_worker(
        temporal_client, task_queue, ReadsWallClock, where
    )
    assert "Cannot access" in message
    assert restricted in message


@pytest.mark.parametrize(
    ("builtin", "refusal"),
    [
        ("open", "__builtins__.open"),
        ("input", "__builtins__.input"),
        ("breakpoint", "breakpoint() inside workflow code requires debug_mode=True"),
    ],
)
async def test_restricted_builtins_fail_the_task(
    builtin: str, refusal: str, temporal_client: Client, task_queue: str
) -> None:
    # The plugin replaces the sandbox's isinstance and issubclass wrappers
    # (`_sandbox_builtins`); the builtins the sandbox refuses keep the sandbox's own.
    message = await _task_failure_on_plugin_worker(
        temporal_client, task_queue, CallsRestrictedBuiltin, builtin
    )
    assert refusal in message


async def test_a_function_tool_cannot_read_the_clock(
    temporal_client: Client, task_queue: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The Agents SDK turns an exception in a function tool into a generic error output for the
    # model by default, so the sandbox's refusal does not fail the task: the clock is never
    # read, the model gets the same text on every replay, and the worker logs the refusal.
    model = TestModel.returning_responses(
        [
            ResponseBuilders.tool_call("{}", "stamp", call_id="call_1"),
            ResponseBuilders.output_message("stamped"),
        ]
    )
    async with AgentEnvironment(model=model) as env:
        client = env.applied_on_client(temporal_client)
        async with Worker(client, task_queue=task_queue, workflows=[ReadsWallClock]):
            result = await client.execute_workflow(
                ReadsWallClock.run,
                "tool",
                id=f"clock-in-tool-{uuid.uuid4()}",  # noqa: TID251 - test code
                task_queue=task_queue,
            )
    assert result == "stamped"
    [output] = model.requests[1].tool_outputs()
    assert output.startswith("An error occurred while running the tool")
    assert "time.time restricted" in caplog.text


async def test_replay_reports_changed_commands(temporal_client: Client, task_queue: str) -> None:
    config = temporal_client.config()
    config["plugins"] = [OpenAIAgentsPlugin()]
    client = Client(**config)
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[ChangesCommandsBefore],
        activities=[first_step, other_step],
    ):
        handle = await client.start_workflow(
            ChangesCommandsBefore.run,
            "value",
            id=f"changes-commands-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=task_queue,
        )
        await handle.result()
    history = await handle.fetch_history()

    await Replayer(
        workflows=[ChangesCommandsBefore], plugins=[OpenAIAgentsPlugin()]
    ).replay_workflow(history)
    with pytest.raises(NondeterminismError):
        await Replayer(
            workflows=[ChangesCommandsAfter], plugins=[OpenAIAgentsPlugin()]
        ).replay_workflow(history)
