"""A worker killed with SIGKILL mid-run: a new worker finishes the run, and no model call that
had completed is sent again."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.testing import (
    OpenAICompatibleServer,
    RecordedRequest,
    Reply,
    TextReply,
    ToolCall,
    ToolCallReply,
)
from tests.core.crash_worker import READY
from tests.core.workflows import MultiStepAgent

STEPS = 6
ROOT = Path(__file__).parents[2]


def steps_done(request: RecordedRequest) -> int:
    items: list[Any] = (request.body_json or {}).get("input") or []
    return sum(
        1 for item in items if isinstance(item, dict) and item.get("type") == "function_call_output"
    )


def planner(request: RecordedRequest) -> Reply:
    # Slow enough that the kill lands while the run is in the middle of its steps.
    time.sleep(0.2)
    done = steps_done(request)
    if done < STEPS:
        return ToolCallReply([ToolCall("record_step", {"step": done + 1})])
    return TextReply(f"finished {done} steps")


@asynccontextmanager
async def worker_process(
    address: str, task_queue: str, base_url: str, environ: dict[str, str]
) -> AsyncGenerator[asyncio.subprocess.Process]:
    env = {**environ, "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-test"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.core.crash_worker",
        address,
        task_queue,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    assert line.decode().strip() == READY
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_sigkill_mid_run_resumes_without_resending(
    temporal_env: WorkflowEnvironment, task_queue: str, subprocess_env: dict[str, str]
) -> None:
    address = temporal_env.client.service_client.config.target_host
    config = temporal_env.client.config()
    config["plugins"] = [OpenAIAgentsPlugin()]
    client = Client(**config)
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
