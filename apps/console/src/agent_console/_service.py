"""Everything the console asks Temporal, as plain async methods with no Streamlit in sight."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from temporalio.api.common.v1 import Payload
from temporalio.client import Client, WorkflowExecutionStatus

from agent_console._history import ModelCall, read_run_history
from agent_console._live import ConversationFeed, LiveState
from agent_stack.connection import data_converter
from agent_stack.health import HealthReport, check_health
from agent_stack.settings import Settings
from agent_stack.tracing import PluginTracingOptions, configure_tracing
from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.apps import AgentApp
from agents_temporal.client import (
    ConversationHandle,
    ConversationStatus,
    PendingApproval,
    UsageReport,
)

_T = TypeVar("_T")

HEALTH_TTL_SECONDS = 5.0
"""How long a health check is reused before asking Temporal again."""

QUERY_TIMEOUT_SECONDS = 5.0
"""How long one query may take (a conversation whose worker is gone never answers)."""

ACCEPT_TIMEOUT_SECONDS = 15.0
"""How long to wait for a conversation to take a message or a decision."""

LIST_LIMIT = 200
"""The most workflow runs one conversation list reads."""

STATUS_LIMIT = 25
"""The most running conversations whose status (and pending approvals) a list reads."""

HISTORY_RUNS = 5
"""The most workflow runs (continue-as-new) whose history the timeline reads."""


class TemporalUnavailableError(RuntimeError):
    """Temporal could not be reached; the message says what to do."""


@dataclass
class ConversationRow:
    """One conversation in the list."""

    workflow_id: str
    """The conversation's workflow id."""

    started_at: datetime
    """When it started (its first run)."""

    temporal_status: str
    """The workflow's status: ``running``, ``completed``, ``failed``, ``terminated``, ..."""

    status: ConversationStatus | None = None
    """Its own status, for running conversations whose worker answered."""

    @property
    def label(self) -> str:
        """``awaiting approval``, ``idle``, ``running`` or the workflow's status."""
        if self.status is not None:
            return self.status.phase.replace("_", " ")
        return self.temporal_status


@dataclass
class InboxItem:
    """An approval waiting for a decision, with the conversation it belongs to."""

    workflow_id: str
    """The conversation."""

    approval: PendingApproval
    """What waits."""


@dataclass
class Overview:
    """The conversations of an app, and the approvals they wait for."""

    rows: list[ConversationRow] = field(default_factory=list[ConversationRow])
    """Newest first."""

    inbox: list[InboxItem] = field(default_factory=list[InboxItem])
    """Oldest request first."""


def _converter_options(settings: Settings) -> dict[str, Any]:
    # The console reads what the worker wrote (queries, history), so it needs the worker's
    # payload storage and encryption keys: the same converter, from the same settings.
    return {"data_converter": data_converter(settings)}


def _tracing(settings: Settings) -> PluginTracingOptions:
    # Spans go to OTEL_EXPORTER_OTLP_ENDPOINT when it is set, and never to OpenAI unless asked;
    # with payloads encrypted, they carry no content (TRACE_CONTENT decides otherwise).
    return configure_tracing(settings, "console").plugin_options()


def workflow_type_name(workflow_class: type) -> str:
    """The Temporal workflow type name of a ``@workflow.defn`` class."""
    # temporalio keeps the definition on the class but offers no public accessor for it.
    definition = getattr(workflow_class, "__temporal_workflow_definition", None)
    name = getattr(definition, "name", None)
    return name if isinstance(name, str) and name else workflow_class.__name__


def new_conversation_id(app: AgentApp, now: datetime | None = None) -> str:
    """A fresh, sortable, readable workflow id: ``<app>-20250102-150405-a1b2c3``."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return f"{app.name}-{stamp}-{secrets.token_hex(3)}"


def _quoted(value: str) -> str:
    """A string literal for a visibility query."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _status_name(status: WorkflowExecutionStatus | None) -> str:
    return "unknown" if status is None else status.name.lower().replace("_", " ")


async def _within(awaitable: Awaitable[_T], seconds: float = QUERY_TIMEOUT_SECONDS) -> _T:
    async with asyncio.timeout(seconds):
        return await awaitable


class ConsoleService:
    """The console's Temporal client and every call it makes.

    Runs on one event loop (`agent_console._loop.BackgroundLoop` in the app). Operations that
    wait for an agent (sending a message, answering an approval) return as soon as the
    conversation has taken them, and finish in the background; their effects show up in the
    transcript.

    Args:
        settings: Where Temporal is, which task queue, the operator.
        apps: The agent apps to show.
    """

    def __init__(self, settings: Settings, apps: Sequence[AgentApp]) -> None:
        self.settings = settings
        self.apps = list(apps)
        self._client: Client | None = None
        self._health: tuple[float, HealthReport] | None = None
        self._background: dict[str, asyncio.Task[Any]] = {}
        self.errors: dict[str, str] = {}
        """Failures of background operations, by workflow id, until read with `pop_error`."""

    # -- Connection and health ---------------------------------------------------------------

    async def client(self) -> Client:
        """The client, connected on first use (and again after a failed attempt).

        Raises:
            TemporalUnavailableError: Temporal did not answer.
        """
        if self._client is None:
            try:
                self._client = await _within(
                    Client.connect(
                        **self.settings.temporal_connect_options(),
                        plugins=[OpenAIAgentsPlugin(**_tracing(self.settings))],
                        **_converter_options(self.settings),
                    )
                )
            except Exception as error:
                raise TemporalUnavailableError(
                    f"Temporal is not reachable at {self.settings.temporal_address!r}: start it "
                    f"with `uv run dev` or set TEMPORAL_ADDRESS ({type(error).__name__}: {error})"
                ) from error
        return self._client

    async def health(self, *, fresh: bool = False) -> HealthReport:
        """Temporal reachable, workers polling (reused for a few seconds unless ``fresh``)."""
        now = asyncio.get_running_loop().time()
        if not fresh and self._health is not None and now - self._health[0] < HEALTH_TTL_SECONDS:
            return self._health[1]
        report = await check_health(self.settings, timeout_seconds=3.0)
        self._health = (now, report)
        return report

    # -- Conversations -------------------------------------------------------------------------

    async def overview(self, app: AgentApp, *, with_status: bool = True) -> Overview:
        """The app's conversations on our task queue, newest first, with pending approvals.

        Args:
            app: The agent app.
            with_status: Ask running conversations for their status (needs a worker).
        """
        client = await self.client()
        query = (
            f"WorkflowType = {_quoted(workflow_type_name(app.conversation_workflow))} "
            f"AND TaskQueue = {_quoted(self.settings.temporal_task_queue)}"
        )
        rows: dict[str, ConversationRow] = {}
        async for execution in client.list_workflows(query, limit=LIST_LIMIT):
            row = rows.get(execution.id)
            if row is None:
                # The newest run comes first: it holds the conversation's current status.
                rows[execution.id] = ConversationRow(
                    execution.id, execution.start_time, _status_name(execution.status)
                )
            else:
                row.started_at = min(row.started_at, execution.start_time)
        ordered = sorted(rows.values(), key=lambda r: r.started_at, reverse=True)
        running = [r for r in ordered if r.temporal_status == "running"][:STATUS_LIMIT]
        if with_status and running:
            statuses = await asyncio.gather(
                *(self._status_or_none(client, r.workflow_id) for r in running)
            )
            for row, status in zip(running, statuses, strict=True):
                row.status = status
        inbox = [
            InboxItem(row.workflow_id, approval)
            for row in ordered
            if row.status is not None
            for approval in row.status.pending_approvals
        ]
        inbox.sort(key=lambda item: item.approval.requested_at)
        return Overview(ordered, inbox)

    async def _status_or_none(self, client: Client, workflow_id: str) -> ConversationStatus | None:
        try:
            return await _within(ConversationHandle(client, workflow_id).status())
        except Exception:
            return None

    async def start(self, app: AgentApp) -> str:
        """Start a conversation of ``app``; returns its workflow id."""
        client = await self.client()
        workflow_id = new_conversation_id(app)
        await ConversationHandle.start(
            client,
            workflow_type_name(app.conversation_workflow),
            id=workflow_id,
            task_queue=self.settings.temporal_task_queue,
        )
        return workflow_id

    async def refresh(self, feed: ConversationFeed) -> LiveState:
        """The conversation's status, transcript and stream, read through ``feed``."""
        return await _within(feed.refresh(await self.client()))

    async def usage(self, workflow_id: str) -> UsageReport:
        """Tokens the conversation used."""
        return await _within(ConversationHandle(await self.client(), workflow_id).usage())

    async def model_calls(self, workflow_id: str) -> list[ModelCall]:
        """Model calls of the conversation's latest runs, oldest first, from history."""
        client = await self.client()
        converter = client.data_converter

        async def decode(payload: Payload) -> Any:
            [value] = await converter.decode([payload])
            return value

        calls: list[ModelCall] = []
        run_id: str | None = None
        for _ in range(HISTORY_RUNS):
            handle = client.get_workflow_handle(workflow_id, run_id=run_id)
            events = [event async for event in handle.fetch_history_events()]
            run = await read_run_history(events, decode)
            calls[:0] = run.calls
            if run.previous_run_id is None:
                break
            run_id = run.previous_run_id
        return calls

    # -- Actions -------------------------------------------------------------------------------

    async def send(self, workflow_id: str, text: str, *, turn: int, sender: str | None) -> None:
        """Send a message; returns once the conversation took it.

        Raises:
            ConversationRefused: The conversation refused it (busy, empty, too long, ...).
        """
        handle = ConversationHandle(await self.client(), workflow_id)

        async def taken() -> bool:
            return (await handle.status()).turn >= turn

        await self._until_taken(workflow_id, handle.send(text, turn=turn, sender=sender), taken)

    async def approve(
        self,
        workflow_id: str,
        approval_id: str,
        *,
        operator: str,
        arguments: dict[str, Any] | None = None,
    ) -> None:
        """Approve a tool call (optionally with edited arguments); returns once it is recorded.

        Raises:
            ConversationRefused: Unknown or decided approval, or arguments the tool refuses.
        """
        handle = ConversationHandle(await self.client(), workflow_id)
        operation = handle.approve(approval_id, operator=operator, arguments=arguments)
        await self._until_taken(workflow_id, operation, self._decided(handle, approval_id))

    async def reject(
        self, workflow_id: str, approval_id: str, *, operator: str, reason: str | None
    ) -> None:
        """Reject a tool call with a reason; returns once it is recorded.

        Raises:
            ConversationRefused: Unknown or already decided approval.
        """
        handle = ConversationHandle(await self.client(), workflow_id)
        operation = handle.reject(approval_id, operator=operator, reason=reason)
        await self._until_taken(workflow_id, operation, self._decided(handle, approval_id))

    async def stop(self, workflow_id: str, *, operator: str, turn: int) -> None:
        """Stop ``turn`` if it is still in progress; returns once it has ended.

        Raises:
            ConversationRefused: The turn has already ended, or cannot be stopped.
        """
        handle = ConversationHandle(await self.client(), workflow_id)
        stopping = handle.stop(operator=operator, turn=turn, reason="stopped from the console")
        await _within(stopping, seconds=30)

    @staticmethod
    def _decided(handle: ConversationHandle, approval_id: str) -> Callable[[], Awaitable[bool]]:
        async def decided() -> bool:
            pending = (await handle.status()).pending_approvals
            return all(a.id != approval_id for a in pending)

        return decided

    def pop_error(self, workflow_id: str) -> str | None:
        """The failure of a background operation on the conversation, once."""
        return self.errors.pop(workflow_id, None)

    def busy(self, workflow_id: str) -> bool:
        """Whether an operation of ours on the conversation is still finishing."""
        task = self._background.get(workflow_id)
        return task is not None and not task.done()

    async def _until_taken(
        self, workflow_id: str, operation: Awaitable[Any], taken: Callable[[], Awaitable[bool]]
    ) -> None:
        # Updates that answer only when the agent has finished (a message, the last decision
        # of a turn) run on in the background; the caller waits only until the conversation
        # has validated and recorded them, so a refusal still comes back as an exception.
        task: asyncio.Task[Any] = asyncio.ensure_future(operation)
        self._background[workflow_id] = task
        task.add_done_callback(lambda done: self._finished(workflow_id, done))
        deadline = asyncio.get_running_loop().time() + ACCEPT_TIMEOUT_SECONDS
        while True:
            finished, _ = await asyncio.wait({task}, timeout=0.2)
            if finished:
                # The caller hears of this failure now; the list of background errors need not.
                self.errors.pop(workflow_id, None)
                task.result()
                return
            if await self._check(taken) or asyncio.get_running_loop().time() > deadline:
                return

    @staticmethod
    async def _check(taken: Callable[[], Awaitable[bool]]) -> bool:
        try:
            return await _within(taken())
        except Exception:
            return False

    def _finished(self, workflow_id: str, task: asyncio.Task[Any]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        self.errors[workflow_id] = f"{type(error).__name__}: {error}"
