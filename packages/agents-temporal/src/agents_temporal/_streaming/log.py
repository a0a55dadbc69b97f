"""Workflow side: the event log a workflow owns, durable events and a ring of deltas."""

from __future__ import annotations

import asyncio
import bisect
import heapq
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from agents import ModelResponse, RunResultStreaming
from agents.stream_events import StreamEvent as AgentStreamEvent
from temporalio import workflow
from temporalio.exceptions import ApplicationError

from .._errors import AgentsWorkflowError, failure_detail
from .relay import RunRelay, response_text
from .types import (
    PUBLISH_DELTAS_SIGNAL,
    READ_EVENTS_QUERY,
    STREAM_CLOSED_ERROR,
    WAIT_FOR_EVENTS_UPDATE,
    DeltaBatch,
    ReadEvents,
    StreamEvent,
    StreamEventKind,
    StreamLogState,
    StreamPage,
    TextDelta,
)

_LOOP_ATTR = "_agents_temporal_stream_log"
# A page stays well under Temporal's 2 MB payload limit even when events carry long texts.
_MAX_PAGE_CHARS = 256_000


@dataclass
class _Call:
    """A model call that is streaming now."""

    agent: str
    attempt: int = 1
    next_index: int = 0


def current_log() -> StreamEventLog | None:
    """The stream log of the workflow running now, if it made one."""
    log = getattr(asyncio.get_running_loop(), _LOOP_ATTR, None)
    return log if isinstance(log, StreamEventLog) else None


class StreamEventLog:
    """A workflow's event stream for observers: token deltas and item events, by offset.

    Make one in the workflow's ``@workflow.init`` method; it registers the handlers observers
    use (``agents_temporal.streaming.subscribe_events`` on the client side). From then on:

    - every ``Runner.run_streamed`` model call of the workflow streams from the provider, and
      its text deltas reach observers in batches while the call runs (they are ephemeral and
      never in the run's result: the durable response still comes from the activity result);
    - a retried model attempt is marked with a durable ``attempt_restarted`` event;
    - ``relay(result)`` publishes the run's item events (tool called, tool output, handoff,
      guardrail result, agent updated, message output, approval requested);
    - ``publish(...)`` adds events of the workflow's own.

    Call ``await close()`` before the workflow returns or continues as new: it releases the
    observers waiting for events. Carry ``state()`` into the new run to keep offsets going.

    Example:
        ```python
        @workflow.defn
        class Assistant:
            @workflow.init
            def __init__(self, question: str) -> None:
                self.events = StreamEventLog()

            @workflow.run
            async def run(self, question: str) -> str:
                result = Runner.run_streamed(agent, question)
                await self.events.publish_run(result)
                await self.events.close()
                return str(result.final_output)
        ```
    """

    def __init__(
        self,
        state: StreamLogState | None = None,
        *,
        batch_interval: timedelta = timedelta(milliseconds=150),
        max_deltas: int = 2_000,
    ) -> None:
        """Create the workflow's log and register its signal, update and query handlers.

        Args:
            state: The log of a previous run, from ``state()``, to continue its offsets.
            batch_interval: The least time between two signals of deltas from a model call.
                Shorter gets deltas to observers sooner; each signal adds about four history
                events, so longer keeps history smaller.
            max_deltas: The most delta events kept at once (across streaming calls).

        Raises:
            AgentsWorkflowError: The workflow already has a stream log.
        """
        loop = asyncio.get_running_loop()
        if isinstance(getattr(loop, _LOOP_ATTR, None), StreamEventLog):
            raise AgentsWorkflowError(
                "This workflow already has a StreamEventLog: make one, in @workflow.init"
            )
        state = state or StreamLogState()
        self.batch_interval = batch_interval
        self._max_deltas = max_deltas
        self._events: list[StreamEvent] = list(state.events)
        self._deltas: deque[StreamEvent] = deque()
        self._next_offset = state.next_offset
        self._calls_started = state.calls_started
        self._calls: dict[str, _Call] = {}
        self._closed = False
        self._waiting = 0
        setattr(loop, _LOOP_ATTR, self)
        workflow.set_signal_handler(PUBLISH_DELTAS_SIGNAL, self._on_deltas)
        workflow.set_update_handler(
            WAIT_FOR_EVENTS_UPDATE, self._wait_for_events, validator=self._check_wait
        )
        workflow.set_query_handler(READ_EVENTS_QUERY, self.read)

    @property
    def next_offset(self) -> int:
        """The offset the next event gets."""
        return self._next_offset

    @property
    def streaming(self) -> bool:
        """Whether a model call is streaming now."""
        return bool(self._calls)

    def publish(
        self,
        kind: StreamEventKind,
        *,
        agent: str | None = None,
        text: str | None = None,
        name: str | None = None,
        data: dict[str, Any] | None = None,
        model_call: str | None = None,
        attempt: int | None = None,
    ) -> StreamEvent:
        """Append a durable event; observers see it at once.

        Args:
            kind: What happened; use ``"custom"`` for events of the workflow's own.
            agent: The agent concerned.
            text: Text for observers to show.
            name: A tool, guardrail or other name.
            data: JSON data with details.
            model_call: The model call concerned.
            attempt: The model attempt concerned.

        Returns:
            The event, with its offset.
        """
        if kind == "text_delta":
            raise AgentsWorkflowError("text_delta events come only from streaming model calls")
        event = self._event(
            kind,
            agent=agent,
            text=text,
            name=name,
            data=data,
            model_call=model_call,
            attempt=attempt,
        )
        self._events.append(event)
        return event

    def relay(self, result: RunResultStreaming) -> AsyncIterator[AgentStreamEvent]:
        """Yield ``result.stream_events()``, publishing each item event on the way.

        Also publishes guardrail results, ``approval_requested`` for each approval the run
        stops at, and ``run_completed`` (or ``run_failed``, then re-raises) at the end.
        """
        return RunRelay(self, result).events()

    async def publish_run(self, result: RunResultStreaming) -> None:
        """Consume a streamed run to its end, publishing its item events (see ``relay``)."""
        async for _ in self.relay(result):
            pass

    async def close(self) -> None:
        """Close this run's stream: release the observers waiting, refuse new waits.

        Call it before the workflow returns or continues as new (waiting observers would
        otherwise count as unfinished update handlers).
        """
        self._closed = True
        await workflow.wait_condition(lambda: self._waiting == 0)

    def state(self, keep_last: int | None = None) -> StreamLogState:
        """The durable log, to pass to the next run's ``StreamEventLog(state)``.

        Args:
            keep_last: Keep only the newest this many durable events (offsets stay as they
                are; observers asking for pruned ones start at the oldest kept).
        """
        events = self._events if keep_last is None else self._events[-keep_last:]
        return StreamLogState(
            next_offset=self._next_offset, calls_started=self._calls_started, events=list(events)
        )

    def read(self, request: ReadEvents) -> StreamPage:
        """The events from ``request.from_offset`` on, at once (the read query)."""
        start = request.from_offset
        if start > self._next_offset:
            # An offset this log never handed out belongs to a log that was not carried over;
            # the observer starts again from what this one keeps.
            start = 0
        durable = self._events[bisect.bisect_left(self._events, start, key=_offset) :]
        deltas = [d for d in self._deltas if d.offset >= start] if request.include_deltas else []
        events: list[StreamEvent] = []
        chars = 0
        more = False
        for event in heapq.merge(durable, deltas, key=_offset):
            if events and (len(events) >= request.max_events or chars > _MAX_PAGE_CHARS):
                more = True
                break
            events.append(event)
            chars += len(event.text or "") + 200
        return StreamPage(
            events=events,
            next_offset=events[-1].offset + 1 if more else self._next_offset,
            base_offset=self._events[0].offset if self._events else self._next_offset,
            streaming=self.streaming,
            closed=self._closed,
            run_id=workflow.info().run_id,
            more=more,
        )

    # Model calls (used by the model stub) -------------------------------------------------

    def begin_call(self, agent: str, model: str | None) -> str:
        """Start streaming a model call; returns its id."""
        self._calls_started += 1
        model_call = f"call-{self._calls_started}"
        self._calls[model_call] = _Call(agent=agent)
        self.publish("model_call_started", agent=agent, name=model, model_call=model_call)
        return model_call

    def end_call(
        self,
        model_call: str,
        response: ModelResponse | None = None,
        error: BaseException | None = None,
    ) -> None:
        """Finish a streaming model call with its durable response (or its failure)."""
        call = self._calls.pop(model_call, None)
        if call is None:
            return
        self._drop_deltas(model_call)
        if response is not None:
            usage = response.usage
            self.publish(
                "model_call_completed",
                agent=call.agent,
                text=response_text(response),
                model_call=model_call,
                attempt=call.attempt,
                data={"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens},
            )
        else:
            text: str | None = None
            if isinstance(error, asyncio.CancelledError):
                text = "The model call was cancelled."
            elif error is not None:
                # A failed call is an ActivityError ("Activity task failed"): say why instead.
                text = failure_detail(error) or type(error).__name__
            self.publish(
                "model_call_failed",
                agent=call.agent,
                text=text,
                model_call=model_call,
                attempt=call.attempt,
            )

    # Handlers -------------------------------------------------------------------------------

    def _on_deltas(self, batch: DeltaBatch) -> None:
        call = self._calls.get(batch.model_call)
        # Late signals of a finished call, and signals of a superseded attempt (a timed-out
        # attempt may still be running), carry nothing anyone needs.
        if call is None or batch.attempt < call.attempt:
            return
        if batch.attempt > call.attempt:
            call.attempt, call.next_index = batch.attempt, 0
            self._drop_deltas(batch.model_call)
            self.publish(
                "attempt_restarted",
                agent=call.agent,
                model_call=batch.model_call,
                attempt=batch.attempt,
            )
        # A batch resent after an ambiguous failure overlaps what already arrived.
        fresh = batch.deltas[max(0, call.next_index - batch.first_index) :]
        call.next_index = max(call.next_index, batch.first_index + len(batch.deltas))
        for item_id, texts in _runs(fresh):
            self._deltas.append(
                self._event(
                    "text_delta",
                    durable=False,
                    agent=call.agent,
                    text="".join(texts),
                    model_call=batch.model_call,
                    attempt=batch.attempt,
                    item_id=item_id,
                    emitted_at=batch.emitted_at,
                )
            )
        while len(self._deltas) > self._max_deltas:
            self._deltas.popleft()

    def _check_wait(self, request: ReadEvents) -> None:
        if self._closed:
            raise ApplicationError(
                "The stream of this workflow run is closed", type=STREAM_CLOSED_ERROR
            )

    async def _wait_for_events(self, request: ReadEvents) -> StreamPage:
        self._waiting += 1
        try:
            await workflow.wait_condition(
                lambda: self._closed or self._next_offset != request.from_offset
            )
        finally:
            self._waiting -= 1
        return self.read(request)

    # Internals ------------------------------------------------------------------------------

    def _event(self, kind: StreamEventKind, **fields: Any) -> StreamEvent:
        event = StreamEvent(offset=self._next_offset, kind=kind, at=workflow.now(), **fields)
        self._next_offset += 1
        return event

    def _drop_deltas(self, model_call: str) -> None:
        self._deltas = deque(d for d in self._deltas if d.model_call != model_call)


def _offset(event: StreamEvent) -> int:
    return event.offset


def _runs(deltas: Iterable[TextDelta]) -> Iterable[tuple[str | None, list[str]]]:
    """Group consecutive deltas of the same output item."""
    item_id: str | None = None
    texts: list[str] = []
    for delta in deltas:
        if texts and delta.item_id != item_id:
            yield item_id, texts
            texts = []
        item_id = delta.item_id
        texts.append(delta.text)
    if texts:
        yield item_id, texts
