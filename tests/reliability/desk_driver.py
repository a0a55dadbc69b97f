"""Conversations with the neutral test desk (``stack_testapp``) that survive injected faults.

The library-level fault scenarios (worker SIGKILL, Temporal server restart) run on the desk,
not on the example domain. Each conversation asks about one ticket, then asks to close it and
has the close approved. A client call that fails with the fault is retried with the same update
id (Temporal deduplicates updates by id); when the conversation already took it, the driver
reads where the conversation stands instead. It never sends a message twice.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from agents import Agent, ModelSettings, ModelTracing, handoff
from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage
from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.client import (
    ApprovalDecision,
    ConversationHandle,
    ConversationInput,
    SendMessage,
    TranscriptEntry,
    TurnResult,
)
from agents_temporal.testing import RecordedRequest, Reply, TextReply, ToolCall, ToolCallReply
from stack_testapp import REFERENCE, DeskConversation, DeskModel
from tests.reliability.processes import sigkill

_T = TypeVar("_T")

OPERATOR = "reliability@example.com"
_TRANSIENT = (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError)
# Refusals that mean "the conversation already has this": an earlier attempt got through.
_ALREADY_DONE = frozenset({"StaleTurn", "AlreadyDecided", "UnknownApproval"})
READY_LINE = b"agent worker ready"


def desk_env(address: str, task_queue: str, tmp_path: Path) -> dict[str, str]:
    """A `worker` serving only the desk, with the offline model and its own payload store."""
    return {
        "TEMPORAL_ADDRESS": address,
        "TEMPORAL_TASK_QUEUE": task_queue,
        "AGENT_APP_OBJECTS": REFERENCE,
        "PAYLOAD_STORAGE_DIR": str(tmp_path / "payloads"),
        "OPENAI_API_KEY": "",
        "MODEL": "",
    }


async def desk_client(address: str) -> Client:
    return await Client.connect(address, plugins=[OpenAIAgentsPlugin()])


@dataclass
class DeskOutcome:
    """What the driver saw of one conversation."""

    workflow_id: str
    ticket: str
    replies: list[str | None] = field(default_factory=list[str | None])
    approvals: int = 0
    transient_errors: int = 0
    transcript: list[TranscriptEntry] = field(default_factory=list[TranscriptEntry])

    def problems(self) -> list[str]:
        """Every way the conversation differs from what the desk answers without faults."""
        expected = [
            f"Ticket {self.ticket} is open: the printer on floor 2 is jammed.",
            f"Ticket {self.ticket} is closed: Asked to close.",
        ]
        problems: list[str] = []
        if self.replies != expected:
            problems.append(f"{self.workflow_id}: replies {self.replies}")
        if self.approvals != 1:
            problems.append(f"{self.workflow_id}: {self.approvals} approvals")
        calls = [e.tool for e in self.transcript if e.kind == "tool_call"]
        if calls != ["look_up_ticket", "close_ticket"]:
            problems.append(f"{self.workflow_id}: tool calls in the transcript {calls}")
        return problems


class DeskConversationDriver:
    """Drives one desk conversation to its end through any number of faults."""

    def __init__(self, client: Client, workflow_id: str, ticket: str, task_queue: str) -> None:
        self._client = client
        self._task_queue = task_queue
        self._conversation = ConversationHandle(client, workflow_id)
        self.outcome = DeskOutcome(workflow_id, ticket)

    async def run(self) -> DeskOutcome:
        await self._retrying(self._start)
        ticket = self.outcome.ticket
        for turn, text in enumerate([f"What is the status of {ticket}?", f"Close {ticket}"], 1):
            result = await self._update("send_message", SendMessage(text=text, turn=turn), turn)
            while result.status == "awaiting_approval":
                self.outcome.approvals += 1
                pending = result.pending_approvals[0]
                decision = ApprovalDecision(approval_id=pending.id, approve=True, operator=OPERATOR)
                result = await self._update("decide_approval", decision, turn, pending.id)
            self.outcome.replies.append(result.reply)
        self.outcome.transcript = await self._retrying(self._conversation.transcript)
        return self.outcome

    async def _start(self) -> None:
        try:
            await self._client.start_workflow(
                DeskConversation.run,
                ConversationInput(),
                id=self.outcome.workflow_id,
                task_queue=self._task_queue,
            )
        except WorkflowAlreadyStartedError:
            pass  # an earlier attempt started it; only its answer was lost

    async def _update(self, name: str, arg: Any, turn: int, key: str = "") -> TurnResult:
        update_id = f"{self.outcome.workflow_id}-{name}-{turn}-{key}"

        async def call() -> TurnResult | None:
            try:
                return await self._conversation.handle.execute_update(
                    name, arg, id=update_id, result_type=TurnResult
                )
            except WorkflowUpdateFailedError as error:
                cause = error.cause
                if isinstance(cause, ApplicationError) and cause.type in _ALREADY_DONE:
                    return None
                raise

        result = await self._retrying(call)
        return result if result is not None else await self._settled(turn)

    async def _settled(self, turn: int) -> TurnResult:
        """Where ``turn`` ended or paused, rebuilt from the conversation's queries."""
        while True:
            status = await self._retrying(self._conversation.status)
            if status.turn >= turn and status.phase != "running":
                break
            await asyncio.sleep(0.2)  # polling for the turn to settle
        if status.phase == "awaiting_approval":
            return TurnResult(
                turn=turn,
                status="awaiting_approval",
                agent=status.current_agent,
                pending_approvals=status.pending_approvals,
            )
        entries = await self._retrying(self._conversation.transcript)
        last = [e for e in entries if e.turn == turn][-1]
        return TurnResult(
            turn=turn, status="completed", agent=status.current_agent, reply=last.text
        )

    async def _retrying(self, call: Callable[[], Awaitable[_T]]) -> _T:
        delay = 0.1
        while True:
            try:
                return await call()
            except _TRANSIENT as error:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError() from error
                self.outcome.transient_errors += 1
            await asyncio.sleep(delay)  # back-off before retrying through the fault
            delay = min(delay * 2, 2.0)


async def drive_desks(
    client: Client, task_queue: str, count: int, *, prefix: str
) -> list[DeskOutcome]:
    """``count`` desk conversations at once, each about its own ticket."""
    async with asyncio.TaskGroup() as group:
        tasks = [
            group.create_task(
                DeskConversationDriver(client, f"{prefix}-{n}", f"T-{n}", task_queue).run()
            )
            for n in range(1, count + 1)
        ]
    return [task.result() for task in tasks]


class DeskWorkerProcess:
    """One `worker` command serving the desk, in a process of its own, killed by the test."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self._env = env
        self._log = log
        self._process: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start it and wait until it polls its task queue."""
        with self._log.open("ab") as log:
            process = await asyncio.create_subprocess_exec(
                "worker",
                env={**os.environ, **self._env},
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
            )
        self._process = process
        assert process.stdout is not None
        async with asyncio.timeout(90):
            while READY_LINE not in (line := await process.stdout.readline()):
                if not line:
                    raise RuntimeError(f"worker exited before it was ready; see {self._log}")
        self._drain = asyncio.create_task(self._read_rest(process))

    async def _read_rest(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        with self._log.open("ab") as log:
            while line := await process.stdout.readline():
                log.write(line)

    async def kill(self) -> None:
        """SIGKILL: no graceful shutdown, no chance to report running work."""
        if self._process is None:
            return
        await sigkill(self._process)
        if self._drain is not None:
            await self._drain
        self._process = self._drain = None


def desk_responder(request: RecordedRequest) -> Reply:
    """Answer a Responses API request as the desk's offline model would.

    For the local OpenAI-compatible server, so that the real OpenAI client path runs the desk.
    A handoff the request offers (a ``transfer_to_...`` tool) is handed to the model as such.
    """
    body = request.body_json or {}
    tools = cast(list[dict[str, Any]], body.get("tools") or [])
    handoffs = [
        handoff(Agent[Any](name=str(tool["name"]).removeprefix("transfer_to_").capitalize()))
        for tool in tools
        if str(tool.get("name", "")).startswith("transfer_to_")
    ]
    response = asyncio.run(
        DeskModel().get_response(
            system_instructions=body.get("instructions"),
            input=body.get("input") or [],
            model_settings=ModelSettings(),
            tools=[],
            output_schema=None,
            handoffs=handoffs,
            tracing=ModelTracing.DISABLED,
        )
    )
    item = response.output[0]
    if isinstance(item, ResponseFunctionToolCall):
        return ToolCallReply([ToolCall(item.name, item.arguments)])
    assert isinstance(item, ResponseOutputMessage)
    return TextReply("".join(getattr(part, "text", "") for part in item.content))
