"""What the tests that kill a worker with SIGKILL share: its process, the client, the replies.

Each test runs its own worker module (``python -m tests.<room>.<module> ADDRESS QUEUE``), whose
model provider is the plugin's default pointed by OPENAI_BASE_URL at the test's local
OpenAI-compatible server, and which prints one line when it polls.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.testing import RecordedRequest

ROOT = Path(__file__).parents[1]


def plugin_client(env: WorkflowEnvironment) -> Client:
    """A client of ``env``'s server with the plugin (default options) on it."""
    config = env.client.config()
    config["plugins"] = [OpenAIAgentsPlugin()]
    return Client(**config)


def tool_outputs(request: RecordedRequest) -> list[str]:
    """The outputs of the tool calls a model request carries, oldest first."""
    items: list[Any] = (request.body_json or {}).get("input") or []
    calls = [cast(dict[str, Any], item) for item in items if isinstance(item, dict)]
    return [str(item.get("output")) for item in calls if item.get("type") == "function_call_output"]


@asynccontextmanager
async def worker_process(
    module: str, ready: str, address: str, task_queue: str, base_url: str, environ: dict[str, str]
) -> AsyncGenerator[asyncio.subprocess.Process]:
    """Worker ``module`` serving ``task_queue``, once it has printed ``ready``; killed after."""
    env = {**environ, "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-test"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        address,
        task_queue,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    assert line.decode().strip() == ready
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
