"""Both sides: the data of a workflow's event stream (events, pages, delta batches)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

PUBLISH_DELTAS_SIGNAL = "agents_temporal.stream.publish_deltas"
"""Signal by which the streaming model activity hands its deltas to the workflow."""

WAIT_FOR_EVENTS_UPDATE = "agents_temporal.stream.wait_for_events"
"""Update that long-polls for events from an offset (returns at once if there are some)."""

READ_EVENTS_QUERY = "agents_temporal.stream.read_events"
"""Query that reads events from an offset without waiting and without touching history."""

STREAM_CLOSED_ERROR = "StreamClosed"
"""ApplicationError type of a wait refused because the stream of this run is closed."""

StreamEventKind = Literal[
    "agent_updated",
    "approval_requested",
    "attempt_restarted",
    "custom",
    "guardrail_result",
    "handoff_occurred",
    "handoff_requested",
    "message_output",
    "model_call_completed",
    "model_call_failed",
    "model_call_started",
    "reasoning",
    "run_completed",
    "run_failed",
    "text_delta",
    "tool_called",
    "tool_output",
    "turn_stopped",
]
"""What a stream event reports.

Only ``text_delta`` is ephemeral; every other kind is durable (kept in the workflow's event
log, carried across continue-as-new).
"""


@dataclass
class StreamEvent:
    """One event of a workflow's stream, as observers receive it.

    Offsets are global to the workflow's stream and strictly increasing, so an observer that
    remembers the last offset it handled resumes with ``from_offset=last + 1`` and misses
    nothing durable. Text deltas are ephemeral: the workflow keeps them only while their model
    call runs, and the call's final text always arrives in the durable
    ``model_call_completed`` event.
    """

    offset: int
    """Position in the workflow's stream."""

    kind: StreamEventKind
    """What happened."""

    at: datetime
    """Workflow time when the event entered the stream."""

    durable: bool = True
    """False only for text deltas, which are dropped once their model call ends."""

    agent: str | None = None
    """The agent the event concerns (for ``handoff_occurred``, the agent handing off)."""

    model_call: str | None = None
    """The model call a ``model_call_*``, ``text_delta`` or ``attempt_restarted`` event is
    about; deltas and the final text of one call share it."""

    attempt: int | None = None
    """The model activity attempt a delta came from; ``attempt_restarted`` carries the new
    attempt, whose deltas replace every earlier delta of the call."""

    text: str | None = None
    """Delta text, message text, tool output, final text of a call, or an error message."""

    name: str | None = None
    """Tool, guardrail, handoff target or model name, depending on the kind."""

    item_id: str | None = None
    """The output item (message) a delta belongs to, to group deltas of one message."""

    data: dict[str, Any] | None = None
    """Kind-specific details as JSON data (tool call id and arguments, guardrail output, ...)."""

    emitted_at: datetime | None = None
    """For deltas: when the model activity received the first of them from the provider."""


@dataclass
class StreamPage:
    """A page of events read from a workflow's stream."""

    events: list[StreamEvent]
    """The events from the requested offset on, in offset order."""

    next_offset: int
    """The offset to read from next."""

    base_offset: int
    """The oldest offset the workflow still keeps (older durable events were pruned)."""

    streaming: bool
    """Whether a model call is streaming now, so more deltas are coming soon."""

    closed: bool
    """Whether this run's stream is closed: no event will follow in this run."""

    run_id: str
    """The workflow run that answered."""

    more: bool = False
    """The page was cut short; read again at once from ``next_offset``."""


@dataclass
class ReadEvents:
    """A request for the events from an offset."""

    from_offset: int = 0
    """The first offset wanted."""

    include_deltas: bool = True
    """Whether to include ephemeral text deltas."""

    max_events: int = 1_000
    """The most events to return at once."""


@dataclass
class TextDelta:
    """One text delta as the provider streamed it."""

    text: str
    """The delta text."""

    item_id: str | None = None
    """The output message the delta belongs to."""


@dataclass
class DeltaBatch:
    """Deltas the streaming activity sends to its workflow in one signal."""

    model_call: str
    """The model call they belong to."""

    attempt: int
    """The activity attempt that produced them."""

    first_index: int
    """How many deltas this attempt sent before these; lets the workflow drop resent ones."""

    deltas: list[TextDelta] = field(default_factory=list[TextDelta])
    """The deltas, in the order the provider sent them."""

    emitted_at: datetime | None = None
    """When the activity received the first of these deltas from the provider."""


@dataclass
class StreamLogState:
    """A workflow's durable stream, carried into a new run by continue-as-new."""

    next_offset: int = 0
    """The offset the next event gets."""

    calls_started: int = 0
    """How many model calls were streamed so far (names new calls uniquely)."""

    events: list[StreamEvent] = field(default_factory=list[StreamEvent])
    """The durable events kept."""
