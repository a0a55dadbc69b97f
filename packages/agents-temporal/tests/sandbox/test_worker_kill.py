"""A worker killed with SIGKILL in the middle of a sandbox command: another worker finishes
the run in the same workspace, which it resumes from the state the workflow's history holds."""

from __future__ import annotations

import asyncio
import signal
import uuid
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from agents_temporal.testing import (
    OpenAICompatibleServer,
    RecordedRequest,
    Reply,
    TextReply,
    ToolCall,
    ToolCallReply,
)
from tests import killed_workers
from tests.killed_workers import plugin_client, tool_outputs
from tests.sandbox.kill_worker import READY
from tests.sandbox.workflows import SandboxShellAgent, SandboxTask


def shell(command: str) -> ToolCallReply:
    # A long yield: the command's output comes back in one call, however long it blocks.
    arguments = {"cmd": command, "login": False, "yield_time_ms": 120_000}
    return ToolCallReply([ToolCall("exec_command", arguments)])


def planner(marks: Path) -> Any:
    started, go = marks / "started", marks / "go"
    plan = [
        shell("echo written-before-the-kill > before.txt"),
        # Blocks until the test says go, so that the kill lands while it runs.
        shell(
            f"touch {started}; while [ ! -e {go} ]; do sleep 0.05; done; "
            "cat before.txt > after.txt; echo copied"
        ),
        shell("cat after.txt"),
    ]

    def reply(request: RecordedRequest) -> Reply:
        done = tool_outputs(request)
        if len(done) < len(plan):
            return plan[len(done)]
        return TextReply(f"after.txt holds: {done[-1]}")

    return reply


def worker_process(
    address: str, task_queue: str, base_url: str, environ: dict[str, str]
) -> AbstractAsyncContextManager[asyncio.subprocess.Process]:
    return killed_workers.worker_process(
        "tests.sandbox.kill_worker", READY, address, task_queue, base_url, environ
    )


def exists(path: Path) -> bool:
    return path.exists()


async def wait_for_file(path: Path) -> None:
    async with asyncio.timeout(60):
        # Another process writes the file: there is no event to wait on but the file itself.
        while not exists(path):  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def test_sigkill_in_a_sandbox_command_resumes_in_the_same_workspace(
    temporal_env: WorkflowEnvironment,
    task_queue: str,
    subprocess_env: dict[str, str],
    tmp_path: Path,
) -> None:
    address = temporal_env.client.service_client.config.target_host
    client = plugin_client(temporal_env)
    task = SandboxTask("Copy the file across a crash", heartbeat_timeout_seconds=2)
    with OpenAICompatibleServer(responder=planner(tmp_path)) as server:
        async with worker_process(address, task_queue, server.base_url, subprocess_env) as first:
            handle = await client.start_workflow(
                SandboxShellAgent.run,
                task,
                id=f"sandbox-kill-{uuid.uuid4()}",  # noqa: TID251 - test code
                task_queue=task_queue,
            )
            await wait_for_file(tmp_path / "started")
            first.send_signal(signal.SIGKILL)
            await first.wait()
        requests_before_kill = server.count()
        async with worker_process(address, task_queue, server.base_url, subprocess_env):
            (tmp_path / "go").touch()
            result = await asyncio.wait_for(handle.result(), timeout=90)

    assert "written-before-the-kill" in result
    # The blocked command ran again on the second worker; no model call was made twice.
    assert requests_before_kill == 2
    assert server.count() == 4
    # The command in flight at the kill ran a second attempt, as the same activity.
    history = await handle.fetch_history()
    attempts = [
        event.activity_task_started_event_attributes.attempt
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
    ]
    assert max(attempts) == 2
