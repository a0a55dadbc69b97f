"""Model calls read from a workflow's history: who called which model, how long it took.

The conversation's ``usage`` query has the tokens of its agents' calls, but not their latency,
their retries, or the calls a guardrail's classifier made. History has all of it: each model
call is one activity, scheduled, started (with its final attempt number) and closed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

from agents_temporal.client import UsageTotals
from agents_temporal.offline import OFFLINE_RESPONSE_PREFIX

MODEL_ACTIVITIES = frozenset(
    {"invoke_model_activity", "agents_temporal.invoke_model", "agents_temporal.stream_model"}
)
"""Activity types that are model calls (`agents_temporal.invoke_model`: before it took the
published integration's name)."""

Decoder = Callable[[Payload], Awaitable[Any]]
"""Turns one payload into JSON-like data (raising when it cannot)."""


@dataclass
class ModelCall:
    """One model call (one activity, however many attempts it took)."""

    scheduled_at: datetime
    """When the workflow asked for it."""

    agent: str | None = None
    """The agent that called the model."""

    model: str | None = None
    """The model name the agent asked for (None: the worker's default model)."""

    attempts: int = 1
    """Activity attempts; more than one means the call was retried."""

    closed_at: datetime | None = None
    """When it completed or failed for good; None while it runs."""

    outcome: str = "running"
    """``running``, ``completed``, ``failed``, ``timed out`` or ``canceled``."""

    usage: UsageTotals | None = None
    """Tokens, from the model's response, when it could be read."""

    output: str = ""
    """What the model answered: its text, or the tools it called."""

    offline: bool = False
    """The offline demo model answered."""

    failure: str | None = None
    """The last failure message, for failed or retried calls."""

    served_by: str | None = None
    """The class of the model that answered, as the worker recorded it (None in older
    histories): what really ran, whatever the agent's model name or the console's settings."""

    served_model: str | None = None
    """The model name the answering model used, as the worker recorded it."""

    produced: int | None = None
    """How many messages and function calls the response held (None: unreadable): each
    becomes one transcript entry (a message, a tool call or a handoff), which is how the
    timeline puts the call in the workflow's own order."""

    @property
    def ran(self) -> str:
        """What answered, for people: ``gpt-4o (OpenAIResponsesModel)``, or the model asked for."""
        if self.offline:
            return "offline demo model"
        kind = self.served_by.rsplit(".", 1)[-1] if self.served_by else None
        name = self.served_model or self.model
        if kind and name:
            return f"{name} ({kind})"
        return kind or name or ""

    @property
    def latency_seconds(self) -> float | None:
        """Seconds from scheduling to completion (queueing and retries included)."""
        if self.closed_at is None:
            return None
        return (self.closed_at - self.scheduled_at).total_seconds()


@dataclass
class RunHistory:
    """What the console needs from one workflow run's history."""

    calls: list[ModelCall] = field(default_factory=list[ModelCall])
    """Model calls in the order they were scheduled."""

    previous_run_id: str | None = None
    """The run this one continued as new from, if any."""


def _when(event: HistoryEvent) -> datetime:
    return event.event_time.ToDatetime().astimezone()


def _output_text(response: dict[str, Any]) -> str:
    parts: list[str] = []
    for raw in cast(list[Any], response.get("output") or []):
        if not isinstance(raw, dict):
            continue
        item = cast(dict[str, Any], raw)
        if item.get("type") == "message":
            for content in cast(list[Any], item.get("content") or []):
                if isinstance(content, dict):
                    text = cast(dict[str, Any], content).get("text")
                    if isinstance(text, str):
                        parts.append(text)
        elif item.get("type") == "function_call":
            parts.append(f"calls {item.get('name')}({item.get('arguments', '')})")
    return "\n".join(parts)


def _produced(response: dict[str, Any]) -> int:
    items = cast(list[Any], response.get("output") or [])
    kinds = [cast(dict[str, Any], item).get("type") for item in items if isinstance(item, dict)]
    return sum(1 for kind in kinds if kind in ("message", "function_call"))


def _usage(response: dict[str, Any]) -> UsageTotals | None:
    raw = response.get("usage")
    if not isinstance(raw, dict):
        return None
    usage = cast(dict[str, Any], raw)
    input_details = cast(dict[str, Any], usage.get("input_tokens_details") or {})
    output_details = cast(dict[str, Any], usage.get("output_tokens_details") or {})
    return UsageTotals(
        requests=int(usage.get("requests") or 1),
        input_tokens=int(usage.get("input_tokens") or 0),
        cached_input_tokens=int(input_details.get("cached_tokens") or 0),
        output_tokens=int(usage.get("output_tokens") or 0),
        reasoning_tokens=int(output_details.get("reasoning_tokens") or 0),
        total_tokens=int(usage.get("total_tokens") or 0),
    )


async def _decode(decode: Decoder, payloads: Sequence[Payload]) -> dict[str, Any] | None:
    if not payloads:
        return None
    try:
        value = await decode(payloads[0])
    except Exception:
        # An encrypted payload without the key, or one kept in payload storage the console
        # cannot reach: the call is still shown, without its details.
        return None
    return cast(dict[str, Any], value) if isinstance(value, dict) else None


async def read_run_history(events: Sequence[HistoryEvent], decode: Decoder) -> RunHistory:
    """The model calls of one workflow run, from its history events.

    Args:
        events: The run's history events, oldest first.
        decode: Decodes a payload to JSON-like data (the client's data converter).
    """
    history = RunHistory()
    calls: dict[int, ModelCall] = {}
    for event in events:
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            started = event.workflow_execution_started_event_attributes
            history.previous_run_id = started.continued_execution_run_id or None
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled = event.activity_task_scheduled_event_attributes
            if scheduled.activity_type.name not in MODEL_ACTIVITIES:
                continue
            call = ModelCall(scheduled_at=_when(event))
            arguments = await _decode(decode, scheduled.input.payloads)
            if arguments is not None:
                agent, model = arguments.get("agent_name"), arguments.get("model_name")
                call.agent = agent if isinstance(agent, str) else None
                call.model = model if isinstance(model, str) else None
            calls[event.event_id] = call
            history.calls.append(call)
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            attributes = event.activity_task_started_event_attributes
            if (call := calls.get(attributes.scheduled_event_id)) is not None:
                call.attempts = attributes.attempt
                if attributes.HasField("last_failure"):
                    call.failure = attributes.last_failure.message
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            attributes = event.activity_task_completed_event_attributes
            if (call := calls.get(attributes.scheduled_event_id)) is not None:
                call.closed_at, call.outcome = _when(event), "completed"
                response = await _decode(decode, attributes.result.payloads)
                if response is not None:
                    call.usage = _usage(response)
                    call.output = _output_text(response)
                    call.produced = _produced(response)
                    response_id = response.get("response_id")
                    call.offline = isinstance(response_id, str) and response_id.startswith(
                        OFFLINE_RESPONSE_PREFIX
                    )
                    served_by, served_model = (
                        response.get("served_by"),
                        response.get("served_model"),
                    )
                    call.served_by = served_by if isinstance(served_by, str) else None
                    call.served_model = served_model if isinstance(served_model, str) else None
        else:
            _close(event, calls)
    return history


def _close(event: HistoryEvent, calls: dict[int, ModelCall]) -> None:
    kind = event.event_type
    if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
        attributes = event.activity_task_failed_event_attributes
        outcome, failure = "failed", attributes.failure.message
    elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
        attributes = event.activity_task_timed_out_event_attributes
        outcome, failure = "timed out", attributes.failure.message
    elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
        attributes = event.activity_task_canceled_event_attributes
        outcome, failure = "canceled", None
    else:
        return
    call = calls.get(attributes.scheduled_event_id)
    if call is not None:
        call.closed_at, call.outcome = _when(event), outcome
        call.failure = failure or call.failure
