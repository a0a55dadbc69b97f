"""The scripted model, a worker, and chatty healthy conversations for hostile-input tests."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from agents import ModelResponse, Usage
from temporalio.client import Client
from temporalio.worker import Worker

from agent_worker._run import stuck_workflows_problem
from agents_temporal import ModelActivityParameters
from agents_temporal.client import ConversationHandle, ConversationInput
from agents_temporal.testing import (
    AgentEnvironment,
    ModelRequest,
    ResponseBuilders,
    TestModel,
    WorkflowHistories,
)
from tests.hostile.guarded import GuardedConversation
from tests.hostile.workflows import ACTIVITIES, LEDGER, DeskConversation, DeskTask

HISTORIES = WorkflowHistories(Path(__file__).parent / "histories")
"""The hostile-input tests' committed histories: record with REGENERATE_HISTORIES=1."""

_ASK = re.compile(r"(refund|note|echo) (\d+)(.*)")
USUAL_REPLY_SECONDS = 15.0
"""Longest a healthy conversation's reply may take while a hostile one is handled.

A reply usually takes a fraction of a second; before the caps, a hostile conversation froze
the whole worker for 12-60 s at a time. The bound is generous for a loaded two-core machine.
"""


def _calls(tool: str, arguments: list[dict[str, Any]]) -> ModelResponse:
    calls = [ResponseBuilders.tool_call(json.dumps(a), tool).output[0] for a in arguments]
    return ModelResponse(output=calls, usage=Usage(requests=1), response_id=None)


def _outputs_since_last_user(request: ModelRequest) -> int:
    if isinstance(request.input, str):
        return 0
    items = [cast(dict[str, Any], item) for item in request.input]
    last_user = max(i for i, item in enumerate(items) if item.get("role") == "user")
    return sum(item.get("type") == "function_call_output" for item in items[last_user:])


def hostile_model(request: ModelRequest) -> ModelResponse:
    """Plays a model an attacker talked into extremes, by the last user message.

    ``refund N [R]``: N refund calls (each needs approval), in each of R rounds (default 1);
    ``note N [R]``: the same with note calls (none needs approval); ``echo N TAIL``: an answer
    of N letters, then TAIL; anything else: a short answer.
    """
    text = request.last_user_text()
    ask = _ASK.fullmatch(text)
    if ask is None:
        return ResponseBuilders.output_message(f"ok: {text}")
    what, count, tail = ask.group(1), int(ask.group(2)), ask.group(3)
    if what == "echo":
        return ResponseBuilders.output_message("x" * count + tail)
    outputs = _outputs_since_last_user(request)
    if outputs >= count * int(tail.strip() or 1):
        return ResponseBuilders.output_message(f"done: {outputs} tool outputs")
    numbers = range(outputs, outputs + count)
    if what == "refund":
        return _calls("issue_refund", [{"order_id": f"O{i}", "amount": 1.0} for i in numbers])
    return _calls("take_note", [{"note": f"n{i}"} for i in numbers])


@dataclass
class Desk:
    client: Client
    worker: Worker
    task_queue: str
    model: TestModel

    async def start(
        self, input: ConversationInput | None = None, workflow: Any = DeskConversation.run
    ) -> ConversationHandle:
        return await ConversationHandle.start(
            self.client,
            workflow,
            id=f"hostile-{uuid.uuid4()}",  # noqa: TID251 - test ids, not workflow code
            task_queue=self.task_queue,
            input=input,
            execution_timeout=timedelta(minutes=3),
        )

    def stuck(self) -> str | None:
        """What the worker's /healthz would report: workflows it can no longer evict."""
        return stuck_workflows_problem(self.worker)


@asynccontextmanager
async def desk(
    temporal_client: Client, task_queue: str, params: ModelActivityParameters | None = None
) -> AsyncGenerator[Desk]:
    """A worker like the worker app's: the scripted model, 8 workflow tasks at once."""
    LEDGER.refunds.clear()
    model = TestModel(hostile_model)
    params = params or ModelActivityParameters(start_to_close_timeout=timedelta(seconds=30))
    async with AgentEnvironment(model=model, model_params=params) as env:
        client = env.applied_on_client(temporal_client)
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[DeskConversation, DeskTask, GuardedConversation],
            activities=ACTIVITIES,
            max_concurrent_workflow_tasks=8,
        ) as worker:
            yield Desk(client, worker, task_queue, model)


@dataclass
class Chatter:
    """Healthy conversations that keep talking while a hostile one is handled."""

    conversations: list[ConversationHandle]
    replies: list[float] = field(default_factory=list[float])
    """How long each reply took, in seconds."""
    failures: list[str] = field(default_factory=list[str])

    async def _talk(self, conversation: ConversationHandle, stop: asyncio.Event) -> None:
        sent = 0
        while not stop.is_set() or sent < 2:
            sent += 1
            started = time.monotonic()
            result = await conversation.send(f"hello {sent}")
            self.replies.append(time.monotonic() - started)
            if result.status != "completed" or result.reply != f"ok: hello {sent}":
                self.failures.append(f"{conversation.workflow_id}: {result}")

    @asynccontextmanager
    async def talking(self) -> AsyncGenerator[None]:
        """Keep every conversation talking, one message after another, until the block ends."""
        stop = asyncio.Event()
        tasks = [asyncio.create_task(self._talk(c, stop)) for c in self.conversations]
        try:
            yield
        finally:
            stop.set()
            async with asyncio.timeout(120):
                await asyncio.gather(*tasks)


async def healthy(env: Desk, count: int = 3) -> Chatter:
    """``count`` healthy conversations, each answered once already."""
    conversations = [await env.start() for _ in range(count)]
    for conversation in conversations:
        await conversation.send("warm up")
    return Chatter(conversations)
