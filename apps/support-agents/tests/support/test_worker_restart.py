"""A worker process killed with SIGKILL mid-conversation: a new one carries on, and the refund
happens exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.client import ConversationHandle
from support_agents import SupportConversation
from tests.support.conftest import SupportStack


@asynccontextmanager
async def worker_process(env: dict[str, str]) -> AsyncGenerator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        "worker", env={**os.environ, **env}, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    async with asyncio.timeout(60):
        while b"agent worker ready" not in await process.stdout.readline():
            pass
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_sigkill_mid_conversation(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    env = {
        "TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "TEMPORAL_TASK_QUEUE": task_queue,
        "DATABASE_URL": database_url,
        "PAYLOAD_STORAGE_DIR": str(tmp_path / "payloads"),
        "OPENAI_API_KEY": "",
        "MODEL": "",
    }
    config = temporal_env.client.config()
    config["plugins"] = [OpenAIAgentsPlugin()]
    client = Client(**config)
    stack = SupportStack(client, task_queue, database_url)
    async with worker_process(env) as first:
        conversation = await ConversationHandle.start(
            client,
            SupportConversation.run,
            id=f"support-restart-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=task_queue,
        )
        waiting = await conversation.send("I want a refund of $150 on order ORD-10042")
        assert waiting.status == "awaiting_approval"
        [pending] = waiting.pending_approvals
        first.send_signal(signal.SIGKILL)
        await first.wait()
    async with worker_process(env):
        # The new worker rebuilds the paused run from history and applies the decision.
        result = await conversation.approve(pending.id, operator="ops@example.com")
        transcript = [(e.kind, e.text[:90]) for e in await conversation.transcript()]
        assert result.status == "completed", transcript
        follow_up = await conversation.send("Where is my order ORD-10057?")
        assert follow_up.status == "completed"
    assert [cents for _, cents in await stack.refunds("ORD-10042")] == [15000]
