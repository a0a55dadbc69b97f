"""A support conversation through the worker's own run loop, configured with secrets.

The worker gets an OpenAI API key (for a local OpenAI-compatible server), a Temporal API key,
a payload encryption key and a console access token, each a fresh random secret; payloads of
1 KB or more go to a local payload store. Every log record of the process is kept from start to
end. The conversation covers what writes to history: tool outputs, an approval, a help-centre
search, a guardrail refusal, malformed and failing tool calls, continue-as-new.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import logging
import os
import secrets
from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from agent_stack.connection import data_converter
from agent_stack.settings import Settings
from agent_worker._run import run_worker
from agents_temporal import EncryptionCodec, OpenAIAgentsPlugin
from agents_temporal.client import ConversationConfig, ConversationHandle, ConversationInput
from agents_temporal.testing import OpenAICompatibleServer, ToolCall, ToolCallReply
from support_agents import SupportConversation, SupportSettings, app
from tests.security.scanning import LogRecorder
from tests.support.openai_brain import OneOffReplies

REPLIES = OneOffReplies()
"""The model server's responder in these tests: the support brain, plus one-off replies."""


@dataclass
class SecureRun:
    """What a finished run left behind, for the checks to read."""

    secrets: dict[str, bytes]
    """Every configured secret by setting name."""

    plaintexts: list[str]
    """Texts the conversation carried (user messages, tool outputs) that only readers with
    the key may see."""

    histories: list[WorkflowHistory]
    """Every run of the conversation, fetched by a client without the codec."""

    store: Path
    """The payload store directory."""

    codec: EncryptionCodec
    """The worker's codec (to open what history and the store hold)."""

    logs: list[str]
    """Every log record of the process while the stack ran."""

    worker_output: str
    """What the worker printed, and whatever reached the process's stdout and stderr file
    descriptors (Temporal's core writes its own log there)."""

    authorizations: list[str]
    """The Authorization headers the model server received."""


def _secrets() -> dict[str, bytes]:
    token = secrets.token_hex(16)
    return {
        "OPENAI_API_KEY": f"sk-test-SECRET-{token}".encode(),
        "TEMPORAL_API_KEY": f"tmprl-test-SECRET-{secrets.token_hex(16)}".encode(),
        "PAYLOAD_ENCRYPTION_KEYS": os.urandom(32),
        "CONSOLE_ACCESS_TOKEN": f"console-SECRET-{secrets.token_hex(16)}".encode(),
    }


def _database_url(data: Path) -> str:
    return f"sqlite+aiosqlite:///{data / 'store.db'}"


def _settings(
    temporal_env: WorkflowEnvironment, data: Path, base_url: str, keys: dict[str, bytes]
) -> Settings:
    encryption_key = base64.b64encode(keys["PAYLOAD_ENCRYPTION_KEYS"]).decode()
    return Settings(
        **dict[str, Any](
            TEMPORAL_ADDRESS=temporal_env.client.service_client.config.target_host,
            TEMPORAL_TASK_QUEUE=f"secure-{secrets.token_hex(6)}",
            TEMPORAL_API_KEY=keys["TEMPORAL_API_KEY"].decode(),
            # The dev server speaks plain gRPC and ignores the key; the worker still sends it.
            TEMPORAL_TLS=False,
            OPENAI_API_KEY=keys["OPENAI_API_KEY"].decode(),
            OPENAI_BASE_URL=base_url,
            MODEL="gpt-test",
            PAYLOAD_STORAGE_DIR=str(data / "payloads"),
            PAYLOAD_STORAGE_THRESHOLD_BYTES=1024,
            PAYLOAD_ENCRYPTION_KEYS=f"k1:{encryption_key}",
            CONSOLE_ACCESS_TOKEN=keys["CONSOLE_ACCESS_TOKEN"].decode(),
            _env_file=None,
        )
    )


@contextmanager
def captured_fds(sink: Path) -> Generator[None]:
    """Send whatever is written to file descriptors 1 and 2 to ``sink`` while the block runs."""
    saved = [os.dup(1), os.dup(2)]
    with sink.open("wb") as file:
        os.dup2(file.fileno(), 1)
        os.dup2(file.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


@asynccontextmanager
async def recording_logs() -> AsyncGenerator[LogRecorder]:
    """Every log record of every logger, at every level, while the block runs."""
    recorder = LogRecorder()
    root = logging.getLogger()
    level = root.level
    root.addHandler(recorder)
    root.setLevel(logging.DEBUG)
    try:
        yield recorder
    finally:
        root.removeHandler(recorder)
        root.setLevel(level)


async def all_runs(client: Client, workflow_id: str) -> list[WorkflowHistory]:
    """The history of every run of a workflow, newest first, following continue-as-new back."""
    histories: list[WorkflowHistory] = []
    run_id: str | None = None
    while True:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        histories.append(history)
        started = history.events[0].workflow_execution_started_event_attributes
        if not started.continued_execution_run_id:
            return histories
        run_id = started.continued_execution_run_id


async def converse(conversation: ConversationHandle, server: OpenAICompatibleServer) -> str:
    """Talk through every path that writes to history; returns the mark in the user's texts."""
    mark = f"PLAINTEXT-{secrets.token_hex(8)}"
    joke = await conversation.send("Tell me a joke about cats")
    assert joke.status == "failed" and joke.error is not None, joke
    first = await conversation.send(f"Where is my order ORD-10057? {mark}")
    assert (first.status, first.agent) == ("completed", "Orders"), first
    # Orders answers next: its first call has arguments that are not JSON, then it recovers.
    REPLIES.add(
        "lookup_order", ToolCallReply([ToolCall("lookup_order", '{"request": {"order_id": ')])
    )
    malformed = await conversation.send(f"And ORD-10042? {mark}")
    assert malformed.status == "completed", malformed
    missing = await conversation.send("Where is my order ORD-99999?")
    assert missing.status == "completed", missing
    refund = await conversation.send(f"I want a refund of $150 on order ORD-10042 {mark}")
    assert refund.status == "awaiting_approval", refund
    [pending] = refund.pending_approvals
    approved = await conversation.approve(pending.id, operator="ops@example.com", reason=mark)
    assert approved.status == "completed", approved
    policy = await conversation.send("What is your return policy?")
    assert (policy.status, policy.agent) == ("completed", "FAQ"), policy
    await conversation.close("done")
    return mark


@asynccontextmanager
async def secure_run(
    temporal_env: WorkflowEnvironment, data: Path, server: OpenAICompatibleServer
) -> AsyncGenerator[SecureRun]:
    """Run the worker with secrets, hold one conversation, and collect what it left."""
    keys = _secrets()
    settings = _settings(temporal_env, data, server.base_url, keys)
    store = SupportSettings(**dict[str, Any](DATABASE_URL=_database_url(data), _env_file=None))
    with pytest.MonkeyPatch.context() as env:
        # The OpenAI client reads its key and base URL from the environment, as in production.
        env.setenv("OPENAI_API_KEY", keys["OPENAI_API_KEY"].decode())
        env.setenv("OPENAI_BASE_URL", server.base_url)
        async with recording_logs() as recorder:
            output = io.StringIO()
            fds = contextlib.ExitStack()
            fds.enter_context(captured_fds(data / "fd-output.log"))
            stop, ready = asyncio.Event(), asyncio.Event()
            worker = asyncio.create_task(
                run_worker(
                    settings,
                    [app],
                    app_settings={app.name: store},
                    stop=stop,
                    ready_event=ready,
                    out=output,
                )
            )
            try:
                await asyncio.wait_for(ready.wait(), timeout=60)
                # A client as the console and the terminal chat make it: same settings.
                client = await Client.connect(
                    **settings.temporal_connect_options(),
                    data_converter=data_converter(settings),
                    plugins=[OpenAIAgentsPlugin()],
                )
                conversation = await ConversationHandle.start(
                    client,
                    SupportConversation.run,
                    id=f"support-secure-{secrets.token_hex(6)}",
                    task_queue=settings.temporal_task_queue,
                    input=ConversationInput(
                        config=ConversationConfig(continue_as_new_after_turns=3)
                    ),
                )
                mark = await converse(conversation, server)
                tool_outputs = [
                    e.text for e in await conversation.transcript() if e.kind == "tool_output"
                ]
            finally:
                stop.set()
                await asyncio.wait_for(worker, timeout=60)
                fds.close()
    keyring = settings.encryption_keyring()
    assert keyring is not None
    yield SecureRun(
        secrets=keys,
        plaintexts=[mark] + [text for text in tool_outputs if len(text) >= 24],
        histories=await all_runs(temporal_env.client, conversation.workflow_id),
        store=settings.payload_storage_dir,
        codec=EncryptionCodec.from_keyring(keyring),
        logs=recorder.lines,
        worker_output=output.getvalue() + (data / "fd-output.log").read_text(errors="replace"),
        authorizations=[r.headers.get("authorization", "") for r in server.requests],
    )
