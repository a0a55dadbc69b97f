"""A worker killed with SIGKILL mid-run: a new worker finishes the run, and no model call that
had completed is sent again."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections import Counter
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

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
from tests.core.crash_worker import READY
from tests.core.workflows import MultiStepAgent
from tests.killed_workers import plugin_client, tool_outputs

STEPS = 6


def steps_done(request: RecordedRequest) -> int:
    return len(tool_outputs(request))


def planner(request: RecordedRequest) -> Reply:
    # Slow enough that the kill lands while the run is in the middle of its steps.
    time.sleep(0.2)
    done = steps_done(request)
    if done < STEPS:
        return ToolCallReply([ToolCall("record_step", {"step": done + 1})])
    return TextReply(f"finished {done} steps")


def worker_process(
    address: str, task_queue: str, base_url: str, environ: dict[str, str]
) -> AbstractAsyncContextManager[asyncio.subprocess.Process]:
    return killed_workers.worker_process(
        "tests.core.crash_worker", READY, address, task_queue, base_url, environ
    )


async def test_sigkill_mid_run_resumes_without_resending(
    temporal_env: WorkflowEnvironment, task_queue: str, subprocess_env: dict[str, str]
) -> None:
    address = temporal_env.client.service_client.config.target_host
    client = plugin_client(temporal_env)
    with OpenAICompatibleServer(responder=planner) as server:
        async with worker_process(address, task_queue, server.base_url, subprocess_env) as first:
            handle = await client.start_workflow(
                MultiStepAgent.run,
                "Do the plan",
                id=f"crash-{uuid.uuid4()}",  # noqa: TID251 - test code
                task_queue=task_queue,
                execution_timeout=timedelta(seconds=90),
            )
            await server.wait_for_requests_async(3, timeout=30)
            first.send_signal(signal.SIGKILL)
            await first.wait()
        sent_before_kill = server.count()
        async with worker_process(address, task_queue, server.base_url, subprocess_env):
            result = await asyncio.wait_for(handle.result(), timeout=60)

    assert result == f"finished {STEPS} steps"
    per_step = Counter(steps_done(r) for r in server.requests)
    assert sorted(per_step) == list(range(STEPS + 1))
    # Only the call in flight at the kill may be sent twice; every completed one exactly once.
    repeated = [step for step, n in per_step.items() if n > 1]
    assert len(repeated) <= 1
    assert all(step >= sent_before_kill - 1 for step in repeated)
    assert server.count() <= STEPS + 2
