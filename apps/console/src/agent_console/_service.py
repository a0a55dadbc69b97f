"""Everything the console asks Temporal, as plain async methods with no Streamlit in sight."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from temporalio.api.common.v1 import Payload
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateHandle

from agent_console._history import ModelCall, read_run_history
from agent_console._live import ConversationFeed, LiveState
from agent_console._text import clip
from agent_stack.connection import data_converter
from agent_stack.health import HealthReport, check_health
from agent_stack.settings import Settings
from agents_temporal.apps import AgentApp
from agents_temporal.client import (
    ApprovalDecision,
    ConversationHandle,
    ConversationStatus,
    PendingApproval,
    TranscriptEntry,
    UsageReport,
)

if TYPE_CHECKING:
    from agent_stack.tracing import PluginTracingOptions

_T = TypeVar("_T")

HEALTH_TTL_SECONDS = 5.0
"""How long a health check is reused before asking Temporal again."""

QUERY_TIMEOUT_SECONDS = 5.0
"""How long one query may take (a conversation whose worker is gone never answers)."""

ACCEPT_TIMEOUT_SECONDS = 15.0
"""How long to wait for a conversation to take a message or a decision."""

LIST_LIMIT = 200
"""The most workflow runs one conversation list reads."""

RUNNING_LIMIT = 2_000
"""The most running conversations whose status (and pending approvals) an overview reads."""

QUERY_CONCURRENCY = 16
"""Status queries an overview has in flight at once."""

OVERVIEW_TTL_SECONDS = 1.0
"""How long an overview is shared by every page of the process before it is read again."""

HISTORY_RUNS = 5
"""The most workflow runs (continue-as-new) whose history the timeline reads."""


PREVIEW_CHARS = 80
"""The length of a conversation's preview in the list."""


class TemporalUnavailableError(RuntimeError):
    """Temporal could not be reached; the message says what to do."""


class NotTakenError(RuntimeError):
    """A conversation did not take a message or decision in time; the message says why."""


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

    last_entry: TranscriptEntry | None = None
    """The newest transcript entry, for running conversations whose worker answered."""

    closed_at: datetime | None = None
    """When the workflow ended, for conversations that are no longer running."""

    @property
    def last_activity(self) -> datetime:
        """When something last happened in the conversation, as far as the console knows."""
        if self.last_entry is not None:
            return self.last_entry.at
        return self.closed_at or self.started_at

    @property
    def preview(self) -> str:
        """The newest message (or event), on one line; empty when nothing happened yet."""
        entry = self.last_entry
        if entry is None:
            return ""
        # Messages say who wrote them; events (a handoff, an approval) already name the agent.
        who = {"user_message": entry.sender or "customer", "agent_message": entry.agent}.get(
            entry.kind
        )
        return clip(f"{who}: {entry.text}" if who else entry.text, PREVIEW_CHARS)

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
    """Every pending approval of the app's running conversations, oldest request first."""

    read_at: float = 0.0
    """When it was read (the service loop's clock)."""


def _converter_options(settings: Settings) -> dict[str, Any]:
    # The console reads what the worker wrote (queries, history), so it needs the worker's
    # payload storage and encryption keys: the same converter, from the same settings.
    return {"data_converter": data_converter(settings)}


def _tracing(settings: Settings) -> PluginTracingOptions:
    # Imported here, not at the top: tracing loads the Agents SDK (seconds), and the page must
    # draw before it (the first connection pays for it, on the service loop).
    from agent_stack.tracing import configure_tracing

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
        self._overviews: dict[str, asyncio.Future[Overview]] = {}
        self._last_entries: dict[str, tuple[int, TranscriptEntry | None]] = {}
        self.errors: dict[str, str] = {}
        """Failures of background operations, by workflow id, until read with `pop_error`."""

    # -- Connection and health ---------------------------------------------------------------

    async def client(self) -> Client:
        """The client, connected on first use (and again after a failed attempt).

        Raises:
            TemporalUnavailableError: Temporal did not answer.
        """
        if self._client is None:
            # Imported on first use for the same reason as `_tracing`'s import.
            from agents_temporal import OpenAIAgentsPlugin

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
        """The app's conversations on our task queue, newest first, with every pending approval.

        Every page of the process shares one overview for `OVERVIEW_TTL_SECONDS`, and pages that
        ask while it is being read wait for that read, so that many open consoles, each
        refreshing its inbox every few seconds, cost Temporal one read.

        Args:
            app: The agent app.
            with_status: Ask running conversations for their status (needs a worker).
        """
        key = f"{app.name}|{with_status}"
        loop = asyncio.get_running_loop()
        cached = self._overviews.get(key)
        if cached is not None and (
            not cached.done()
            or (
                cached.exception() is None
                and loop.time() - cached.result().read_at < OVERVIEW_TTL_SECONDS
            )
        ):
            return await asyncio.shield(cached)
        task = asyncio.ensure_future(self._read_overview(app, with_status=with_status))
        self._overviews[key] = task
        return await asyncio.shield(task)

    def forget_overviews(self) -> None:
        """Read the next overview afresh (something this console did changed it)."""
        self._overviews = {k: t for k, t in self._overviews.items() if not t.done()}
        for task in self._overviews.values():
            # A read in flight may have started before the change: its result must not be
            # served for long.
            task.add_done_callback(self._expire)

    def _expire(self, task: asyncio.Future[Overview]) -> None:
        if not task.cancelled() and task.exception() is None:
            task.result().read_at = float("-inf")

    async def _read_overview(self, app: AgentApp, *, with_status: bool) -> Overview:
        client = await self.client()
        base = (
            f"WorkflowType = {_quoted(workflow_type_name(app.conversation_workflow))} "
            f"AND TaskQueue = {_quoted(self.settings.temporal_task_queue)}"
        )
        rows: dict[str, ConversationRow] = {}
        async for execution in client.list_workflows(base, limit=LIST_LIMIT):
            row = rows.get(execution.id)
            if row is None:
                # The newest run comes first: it holds the conversation's current status.
                rows[execution.id] = ConversationRow(
                    execution.id,
                    execution.start_time,
                    _status_name(execution.status),
                    closed_at=execution.close_time,
                )
            else:
                row.started_at = min(row.started_at, execution.start_time)
        running: dict[str, ConversationRow] = {
            r.workflow_id: r for r in rows.values() if r.temporal_status == "running"
        }
        # Approvals wait in running conversations only, and every one of them must reach the
        # inbox, not only those among the newest conversations the list shows.
        running_query = f"{base} AND ExecutionStatus = 'Running'"
        async for execution in client.list_workflows(running_query, limit=RUNNING_LIMIT):
            if execution.id not in running:
                running[execution.id] = ConversationRow(
                    execution.id, execution.start_time, "running"
                )
        if with_status and running:
            gate = asyncio.Semaphore(QUERY_CONCURRENCY)
            await asyncio.gather(*(self._fill(client, row, gate) for row in running.values()))
        ordered = sorted(rows.values(), key=lambda r: r.started_at, reverse=True)
        inbox = [
            InboxItem(row.workflow_id, approval)
            for row in running.values()
            if row.status is not None
            for approval in row.status.pending_approvals
        ]
        inbox.sort(key=lambda item: (item.approval.requested_at, item.workflow_id))
        return Overview(ordered, inbox, asyncio.get_running_loop().time())

    async def _fill(self, client: Client, row: ConversationRow, gate: asyncio.Semaphore) -> None:
        """Give a running conversation's row its status and newest entry, if it answers."""
        async with gate:
            handle = ConversationHandle(client, row.workflow_id)
            try:
                row.status = await _within(handle.status())
            except Exception:
                return
            length = row.status.transcript_length
            known = self._last_entries.get(row.workflow_id)
            if known is not None and known[0] == length:
                row.last_entry = known[1]
                return
            try:
                entries = await _within(handle.transcript(max(0, length - 1)))
            except Exception:
                return
            row.last_entry = entries[-1] if entries else None
            self._last_entries[row.workflow_id] = (length, row.last_entry)

    async def start(self, app: AgentApp) -> str:
        """Start a conversation of ``app``; returns its workflow id."""
        client = await self.client()
        workflow_id = new_conversation_id(app)
        await ConversationHandle.start(
            client,
            workflow_type_name(app.conversation_workflow),
            id=workflow_id,
            task_queue=self.settings.temporal_task_queue,
            # What the Temporal Web UI lists for the workflow instead of "No summary".
            static_summary=f"{app.title} conversation, started in the operator console",
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
            NotTakenError: The conversation did not take it in time.
        """
        handle = ConversationHandle(await self.client(), workflow_id)
        update = await self._taken(handle.start_send(text, turn=turn, sender=sender), "message")
        self._follow(workflow_id, update)

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
            NotTakenError: The conversation did not take the decision in time.
        """
        decision = ApprovalDecision(
            approval_id=approval_id, approve=True, operator=operator, arguments=arguments
        )
        await self._decide(workflow_id, decision)

    async def reject(
        self, workflow_id: str, approval_id: str, *, operator: str, reason: str | None
    ) -> None:
        """Reject a tool call with a reason; returns once it is recorded.

        Raises:
            ConversationRefused: Unknown or already decided approval.
            NotTakenError: The conversation did not take the decision in time.
        """
        decision = ApprovalDecision(
            approval_id=approval_id, approve=False, operator=operator, reason=reason
        )
        await self._decide(workflow_id, decision)

    async def _decide(self, workflow_id: str, decision: ApprovalDecision) -> None:
        handle = ConversationHandle(await self.client(), workflow_id)
        try:
            update = await self._taken(handle.start_decide(decision), "decision")
        finally:
            # Decided or refused (someone else was first), the inbox has changed either way.
            self.forget_overviews()
        self._follow(workflow_id, update)

    async def stop(self, workflow_id: str, *, operator: str, turn: int) -> None:
        """Stop ``turn`` if it is still in progress; returns once it has ended.

        Raises:
            ConversationRefused: The turn has already ended, or cannot be stopped.
        """
        handle = ConversationHandle(await self.client(), workflow_id)
        stopping = handle.stop(operator=operator, turn=turn, reason="stopped from the console")
        await _within(stopping, seconds=30)

    @staticmethod
    async def _taken(
        starting: Awaitable[WorkflowUpdateHandle[Any]], what: str
    ) -> WorkflowUpdateHandle[Any]:
        # The update is accepted once the conversation has validated and recorded it; what
        # it answers later (a message's reply, the turn a last decision resumes) shows up in
        # the transcript, so the page need not wait for it.
        try:
            async with asyncio.timeout(ACCEPT_TIMEOUT_SECONDS):
                return await starting
        except TimeoutError:
            raise NotTakenError(
                f"The conversation did not take the {what} within "
                f"{ACCEPT_TIMEOUT_SECONDS:.0f} s: no worker may be running its task queue. It "
                "may still take it later; check the conversation before trying again."
            ) from None

    def _follow(self, workflow_id: str, update: WorkflowUpdateHandle[Any]) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(update.result())
        self._background[workflow_id] = task
        task.add_done_callback(lambda done: self._finished(workflow_id, done))

    def pop_error(self, workflow_id: str) -> str | None:
        """The failure of a background operation on the conversation, once."""
        return self.errors.pop(workflow_id, None)

    def busy(self, workflow_id: str) -> bool:
        """Whether an operation of ours on the conversation is still finishing."""
        task = self._background.get(workflow_id)
        return task is not None and not task.done()

    def _finished(self, workflow_id: str, task: asyncio.Task[Any]) -> None:
        # The turn ended (or failed): conversation lists and inboxes have changed.
        self.forget_overviews()
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        self.errors[workflow_id] = f"{type(error).__name__}: {error}"
