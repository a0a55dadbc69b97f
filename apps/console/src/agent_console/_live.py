"""Following one conversation as it runs: its transcript, and stream events where it streams.

The chat pane asks a `ConversationFeed` for the latest `LiveState` every second or so while a
turn runs. The transcript always comes from the ``transcript`` query (read incrementally); a
`StreamSource` adds what only a streaming workflow can tell: the answer as it is written, a
retried model attempt, guardrail verdicts. Workflows that do not stream simply contribute
nothing, so the console works the same on both, only less live.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, cast

from temporalio.client import Client, WorkflowQueryFailedError

from agent_console._history import MODEL_ACTIVITIES
from agents_temporal.client import ConversationHandle, ConversationStatus, TranscriptEntry

PageReader = Callable[[Client, str, int], Awaitable[Any]]
"""Reads one page of a workflow's stream from an offset (``read_events``)."""


def _stream_reader() -> PageReader | None:
    try:
        from agents_temporal.streaming import read_events
    except ImportError:
        # An agents_temporal without streaming: the console polls the transcript only.
        return None
    return read_events


@dataclass
class PartialAnswer:
    """What a model call has written so far, while it streams."""

    agent: str | None
    """The agent writing."""

    text: str = ""
    """The text so far."""

    attempt: int = 1
    """The activity attempt the text comes from."""

    retried: bool = False
    """An earlier attempt failed: this text replaces what it had written."""


@dataclass
class GuardrailVerdict:
    """A guardrail's result, as a streaming workflow reported it."""

    name: str
    """The guardrail."""

    tripped: bool
    """Whether it stopped the run (or the tool call)."""

    reasoning: str
    """Its explanation (the classifier's reasoning, or its output as JSON)."""

    at: datetime
    """When it was reported."""

    agent: str | None = None
    """The agent it guarded."""


@dataclass
class StreamView:
    """Everything folded from a stream so far."""

    next_offset: int = 0
    """Where to read from next."""

    partial: dict[str, PartialAnswer] = field(default_factory=dict[str, PartialAnswer])
    """Model calls streaming now, by model call id."""

    verdicts: list[GuardrailVerdict] = field(default_factory=list[GuardrailVerdict])
    """Guardrail results, oldest first."""

    retried_calls: set[str] = field(default_factory=set[str])
    """Model calls that needed more than one attempt."""


def _reasoning(data: dict[str, Any]) -> str:
    info: Any = data.get("output_info")
    if info is None:
        return ""
    reasoning = cast(dict[str, Any], info).get("reasoning") if isinstance(info, dict) else None
    return reasoning if isinstance(reasoning, str) else json.dumps(info, default=str)


def fold_events(view: StreamView, events: Sequence[Any]) -> StreamView:
    """Apply stream events (``agents_temporal.streaming.StreamEvent``) to ``view``, in order."""
    for event in events:
        call = cast(str | None, event.model_call)
        kind = cast(str, event.kind)
        if kind == "model_call_started" and call is not None:
            view.partial[call] = PartialAnswer(agent=event.agent)
        elif kind == "text_delta" and call is not None:
            partial = view.partial.setdefault(call, PartialAnswer(agent=event.agent))
            attempt = event.attempt or partial.attempt
            if attempt >= partial.attempt:
                partial.text += event.text or ""
        elif kind == "attempt_restarted" and call is not None:
            view.retried_calls.add(call)
            view.partial[call] = PartialAnswer(
                agent=event.agent, attempt=event.attempt or 1, retried=True
            )
        elif kind in ("model_call_completed", "model_call_failed") and call is not None:
            view.partial.pop(call, None)
        elif kind == "guardrail_result":
            data = cast(dict[str, Any], event.data or {})
            view.verdicts.append(
                GuardrailVerdict(
                    name=event.name or "guardrail",
                    tripped=bool(data.get("tripwire_triggered")),
                    reasoning=_reasoning(data),
                    at=event.at,
                    agent=event.agent,
                )
            )
    return view


class StreamSource(Protocol):
    """Where stream events come from; the seam for plugging in richer live updates."""

    async def poll(self, client: Client, workflow_id: str, view: StreamView) -> StreamView:
        """Fold whatever is new into ``view`` and return it."""
        ...


class NoStream:
    """For workflows (or libraries) without streaming: nothing beyond the transcript."""

    async def poll(self, client: Client, workflow_id: str, view: StreamView) -> StreamView:
        """Return ``view`` unchanged."""
        return view


class QueryStream:
    """Reads a workflow's stream with ``agents_temporal.streaming.read_events`` (a query).

    A read the workflow refuses (it has no stream log, so the query is unknown) turns it off
    for good: polling a query that can never answer would only cost a round trip.
    """

    def __init__(self, reader: PageReader | None = None) -> None:
        self._read = reader or _stream_reader()
        self.available = self._read is not None

    async def poll(self, client: Client, workflow_id: str, view: StreamView) -> StreamView:
        """Fold the events from ``view.next_offset`` on into ``view``."""
        if not self.available or self._read is None:
            return view
        try:
            for _ in range(20):  # a bounded catch-up; the rest comes on the next poll
                page = await self._read(client, workflow_id, view.next_offset)
                fold_events(view, page.events)
                view.next_offset = page.next_offset
                if not page.more:
                    break
        except WorkflowQueryFailedError:
            # The workflow answered, but has no stream to read: do not ask it again.
            self.available = False
        except Exception:
            # Unreachable for now (no worker, a timeout): the next poll tries again.
            pass
        return view


@dataclass
class RetryingCall:
    """A model call that failed at least once and is being retried (Temporal's pending activity).

    The stream says that a call restarted, but not why; the workflow's pending activities say
    why, so an operator sees a provider outage in the chat instead of only in the worker log.
    """

    attempt: int
    """The attempt running or due next (2 or more)."""

    last_failure: str
    """What the last attempt failed with."""

    maximum_attempts: int = 0
    """The retry policy's limit; 0 retries until the call's timeout."""

    next_attempt_at: datetime | None = None
    """When the next attempt starts, while it waits (retry back-off)."""

    def sentence(self, calls: int = 1) -> str:
        """What the chat says about it (and ``calls - 1`` more failing the same way)."""
        # Pending activities do not say which agent (or guardrail) is calling.
        limit = f" of {self.maximum_attempts}" if self.maximum_attempts else ""
        failed = self.last_failure or "no message"
        who = "A model call keeps" if calls == 1 else f"{calls} model calls keep"
        return (
            f"{who} failing: attempt {self.attempt}{limit} is next or running. Last error: "
            f"{failed}. Temporal retries; if the provider is down, the turn goes on once it "
            "answers again."
        )


def retry_sentences(calls: Sequence[RetryingCall]) -> list[str]:
    """One sentence per way model calls are failing.

    An agent and its guardrails often fail alike, against the same provider.
    """
    groups: dict[tuple[int, int, str], list[RetryingCall]] = {}
    for call in calls:
        groups.setdefault((call.attempt, call.maximum_attempts, call.last_failure), []).append(call)
    return [group[0].sentence(len(group)) for group in groups.values()]


async def retrying_model_calls(client: Client, workflow_id: str) -> list[RetryingCall]:
    """The conversation's model calls that are being retried, from its pending activities."""
    description = await client.get_workflow_handle(workflow_id).describe()
    calls: list[RetryingCall] = []
    for pending in description.raw_description.pending_activities:
        if pending.activity_type.name not in MODEL_ACTIVITIES or pending.attempt < 2:
            continue
        due = pending.next_attempt_schedule_time
        calls.append(
            RetryingCall(
                attempt=pending.attempt,
                last_failure=pending.last_failure.message,
                maximum_attempts=pending.maximum_attempts,
                next_attempt_at=due.ToDatetime().astimezone()
                if pending.HasField("next_attempt_schedule_time")
                else None,
            )
        )
    return calls


@dataclass
class LiveState:
    """One look at a conversation."""

    status: ConversationStatus
    """Where it stands."""

    entries: list[TranscriptEntry]
    """The whole transcript so far."""

    stream: StreamView
    """What its stream added (empty for workflows that do not stream)."""

    retrying: list[RetryingCall] = field(default_factory=list[RetryingCall])
    """Model calls being retried now (read only while a turn runs)."""


class ConversationFeed:
    """Follows one conversation; each `refresh` reads only what is new.

    Args:
        workflow_id: The conversation.
        stream: Where stream events come from (default: the streaming query when available).
    """

    def __init__(self, workflow_id: str, stream: StreamSource | None = None) -> None:
        self.workflow_id = workflow_id
        self.entries: list[TranscriptEntry] = []
        self.view = StreamView()
        self._stream: StreamSource = stream if stream is not None else QueryStream()

    async def refresh(self, client: Client) -> LiveState:
        """Read the status, the new transcript entries and the new stream events."""
        handle = ConversationHandle(client, self.workflow_id)
        status = await handle.status()
        if status.transcript_length < len(self.entries):
            # The transcript never shrinks; a shorter one means another conversation under the
            # same id (it was reset or restarted): read it again from the start.
            self.entries = []
        if status.transcript_length > len(self.entries):
            self.entries.extend(await handle.transcript(len(self.entries)))
        self.view = await self._stream.poll(client, self.workflow_id, self.view)
        retrying: list[RetryingCall] = []
        if status.phase == "running":
            try:
                retrying = await retrying_model_calls(client, self.workflow_id)
            except Exception:
                # Describing needs more rights than a query; without them the chat still shows
                # the stream's "retried attempt N", only without the cause.
                retrying = []
        return LiveState(
            status=status, entries=list(self.entries), stream=self.view, retrying=retrying
        )
