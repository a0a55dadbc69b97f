"""Workflow side of a streamed model call: its stream in the log, and the run's events."""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from dataclasses import dataclass

from agents import ModelResponse, Usage
from agents.items import TResponseStreamEvent
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseCreatedEvent,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseTextDeltaEvent,
    ResponseUsage,
)
from pydantic import BaseModel
from temporalio import workflow

from .._model_call import ModelCallInput, StreamTarget
from .._params import ModelActivityParameters
from .log import StreamEventLog, current_log


@dataclass
class CallStream:
    """One model call's stream in the workflow's log; ``target`` is None when not streaming."""

    log: StreamEventLog | None = None
    target: StreamTarget | None = None
    response: ModelResponse | None = None

    def complete(self, response: ModelResponse) -> None:
        """Record the call's durable response."""
        self.response = response


@contextlib.contextmanager
def model_call_stream(
    params: ModelActivityParameters, call: ModelCallInput
) -> Generator[CallStream]:
    """Open the stream of one model call, when the workflow has a stream log.

    Without a log nobody can observe deltas, so the call stays a plain model activity (no
    history spent on deltas). Local activities run inside a workflow task, whose signals wait
    for the task to end, so they stay plain too.
    """
    log = current_log()
    if log is None or params.use_local_activity:
        yield CallStream()
        return
    model_call = log.begin_call(call.agent_name, call.model_name)
    stream = CallStream(log, StreamTarget(model_call, log.batch_interval))
    try:
        yield stream
    except BaseException as error:
        log.end_call(model_call, error=error)
        raise
    log.end_call(model_call, response=stream.response)


def _response_usage(usage: Usage) -> ResponseUsage | None:
    if usage.requests == 0 and usage.total_tokens == 0:
        return None
    return ResponseUsage(
        input_tokens=usage.input_tokens,
        input_tokens_details=usage.input_tokens_details,
        output_tokens=usage.output_tokens,
        output_tokens_details=usage.output_tokens_details,
        total_tokens=usage.total_tokens,
    )


STREAM_EVENT_TYPES: tuple[type[BaseModel], ...] = (
    Response,
    ResponseUsage,
    ResponseCreatedEvent,
    ResponseOutputItemAddedEvent,
    ResponseTextDeltaEvent,
    ResponseOutputItemDoneEvent,
    ResponseCompletedEvent,
)
"""The OpenAI types `response_stream_events` makes inside workflow code."""


def build_stream_event_types() -> None:
    """Build the validators of `STREAM_EVENT_TYPES` now, once per process.

    The OpenAI client defers each model's validator to its first use, and the first build
    takes a process-wide lock. Left to the first streamed turn on a fresh worker, that work
    (tens of milliseconds each on an idle core, seconds on a starved one, with every other
    workflow thread waiting on the lock) runs inside a workflow task, under the SDK's 2 s
    deadlock detector. Called before the worker polls, it costs that time there instead.
    """
    for model in STREAM_EVENT_TYPES:
        if not model.__pydantic_complete__:
            model.model_rebuild()


def response_stream_events(
    response: ModelResponse, model_name: str | None, created_at: float | None = None
) -> list[TResponseStreamEvent]:
    """The events a streamed call yields to the run inside the workflow.

    They are made from the durable response alone, so the run (and anything iterating
    ``stream_events()`` in the workflow) replays identically: each message's text arrives as
    one delta, then the completed response.
    """
    whole = Response(
        id=response.response_id or "",
        created_at=workflow.now().timestamp() if created_at is None else created_at,
        model=model_name or "",
        object="response",
        output=[],
        tool_choice="auto",
        tools=[],
        parallel_tool_calls=True,
        usage=_response_usage(response.usage),
    )
    events: list[TResponseStreamEvent] = [
        ResponseCreatedEvent(type="response.created", sequence_number=0, response=whole)
    ]
    for index, item in enumerate(response.output):
        events.append(
            ResponseOutputItemAddedEvent(
                type="response.output_item.added",
                item=item,
                output_index=index,
                sequence_number=0,
            )
        )
        if isinstance(item, ResponseOutputMessage):
            events.extend(
                ResponseTextDeltaEvent(
                    type="response.output_text.delta",
                    content_index=part_index,
                    delta=part.text,
                    item_id=item.id,
                    logprobs=[],
                    output_index=index,
                    sequence_number=0,
                )
                for part_index, part in enumerate(item.content)
                if isinstance(part, ResponseOutputText)
            )
        events.append(
            ResponseOutputItemDoneEvent(
                type="response.output_item.done",
                item=item,
                output_index=index,
                sequence_number=0,
            )
        )
    completed = whole.model_copy(update={"output": response.output})
    events.append(
        ResponseCompletedEvent(type="response.completed", sequence_number=0, response=completed)
    )
    for number, event in enumerate(events):
        event.sequence_number = number
    return events
