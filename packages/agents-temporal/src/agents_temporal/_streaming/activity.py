"""Activity side of a streamed model call: batching deltas to the workflow, the response."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from agents import ModelBehaviorError, ModelResponse, Usage
from agents.items import TResponseOutputItem, TResponseStreamEvent
from openai.types.responses import (
    ResponseCompletedEvent,
    ResponseOutputItemDoneEvent,
    ResponseTextDeltaEvent,
    ResponseUsage,
)
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from .._errors import TooManyToolCallsError
from .._model_call import StreamTarget, is_tool_call
from .types import PUBLISH_DELTAS_SIGNAL, DeltaBatch, TextDelta

logger = logging.getLogger(__name__)

# One signal stays far below Temporal's payload limit even after a long outage of the server.
_MAX_DELTAS_PER_SIGNAL = 2_000
_FAILED_EVENTS = frozenset({"response.failed", "response.incomplete", "error", "response.error"})


class DeltaSink(Protocol):
    """Where ``collect_response`` hands each text delta."""

    def add(self, text: str, item_id: str | None) -> None:
        """Take one delta as the provider streamed it."""
        ...


class DeltaPublisher:
    """Sends a model call's text deltas to the workflow that made the call, in batches.

    The first delta goes at once (so the first token shows quickly); later ones wait until
    ``batch_interval`` has passed since the previous signal, so one signal carries every delta
    that arrived meanwhile. Signals go one at a time, in order. A retried attempt announces
    itself with a signal at start, so observers drop the failed attempt's text early.
    Publishing never fails the model call: deltas are a convenience, the response is durable.
    """

    def __init__(
        self, target: StreamTarget, workflow: WorkflowHandle[Any, Any], attempt: int
    ) -> None:
        self._target = target
        self._workflow = workflow
        self._attempt = attempt
        self._pending: list[TextDelta] = []
        self._pending_since: datetime | None = None
        self._sent = 0
        self._announce = attempt > 1
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def for_current_activity(cls, target: StreamTarget) -> DeltaPublisher:
        """A publisher to the workflow run that scheduled the running activity."""
        info = activity.info()
        workflow = activity.client().get_workflow_handle(
            info.workflow_id or "", run_id=info.workflow_run_id
        )
        return cls(target, workflow, info.attempt)

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._run())
        if self._announce:
            self._wake.set()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Deltas not sent yet are dropped: the response the activity returns carries them all.
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._announce and exc is None:
            # A retried attempt that finished before announcing itself still does, so that
            # observers drop the failed attempt's text and the call reports the right attempt.
            await self._send()

    def add(self, text: str, item_id: str | None) -> None:
        """Queue one delta as the provider streamed it."""
        if not self._pending:
            self._pending_since = datetime.now(UTC)
        self._pending.append(TextDelta(text, item_id))
        self._wake.set()

    async def _run(self) -> None:
        interval = self._target.batch_interval.total_seconds()
        last_sent = -interval
        while True:
            await self._wake.wait()
            delay = last_sent + interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self._wake.clear()
            if not self._pending and not self._announce:
                continue
            last_sent = time.monotonic()
            if not await self._send():
                return

    async def _send(self) -> bool:
        """Send what is pending; False when publishing should stop for good."""
        deltas = self._pending[:_MAX_DELTAS_PER_SIGNAL]
        batch = DeltaBatch(
            model_call=self._target.model_call,
            attempt=self._attempt,
            first_index=self._sent,
            deltas=deltas,
            emitted_at=self._pending_since,
        )
        try:
            await self._workflow.signal(PUBLISH_DELTAS_SIGNAL, batch)
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return False  # The workflow run has ended; nobody will read more deltas.
            # The deltas stay pending and go with the next signal; the workflow drops any
            # that arrive twice (the failed signal may have landed after all).
            logger.warning("Could not publish model deltas, will retry: %s", error)
            self._wake.set()
            return True
        except Exception:
            logger.exception("Publishing model deltas failed; the model call goes on without")
            return False
        self._announce = False
        self._sent += len(deltas)
        del self._pending[: len(deltas)]
        if self._pending:
            # What arrived during the signal waits for the next one.
            self._pending_since = datetime.now(UTC)
            self._wake.set()
        return True


def _usage(usage: ResponseUsage | None) -> Usage:
    if usage is None:
        return Usage(requests=1)
    return Usage(
        requests=1,
        input_tokens=usage.input_tokens,
        input_tokens_details=usage.input_tokens_details,
        output_tokens=usage.output_tokens,
        output_tokens_details=usage.output_tokens_details,
        total_tokens=usage.total_tokens,
    )


async def collect_response(
    events: AsyncIterator[TResponseStreamEvent],
    publisher: DeltaSink,
    max_tool_calls: int | None = None,
    agent: str = "agent",
) -> ModelResponse:
    """Consume a model's stream, publishing its text deltas, and return the whole response.

    Args:
        events: The model's stream.
        publisher: Where text deltas go.
        max_tool_calls: Stop reading at once when the stream has more tool calls than this.
        agent: The agent that called the model, for the error.

    Raises:
        ModelBehaviorError: The stream failed, or ended without a completed response.
        TooManyToolCallsError: The stream held more than ``max_tool_calls`` tool calls.
    """
    done: list[TResponseOutputItem] = []
    tool_calls = 0
    completed: ResponseCompletedEvent | None = None
    async for event in events:
        if isinstance(event, ResponseTextDeltaEvent):
            publisher.add(event.delta, event.item_id)
        elif isinstance(event, ResponseOutputItemDoneEvent):
            done.append(event.item)
            tool_calls += is_tool_call(event.item)
            if max_tool_calls is not None and tool_calls > max_tool_calls:
                # Reading on would only collect what the workflow must not be handed; closing
                # the stream now ends the provider's response too.
                close = getattr(events, "aclose", None)
                if close is not None:
                    await close()
                raise TooManyToolCallsError(agent, max_tool_calls)
        elif isinstance(event, ResponseCompletedEvent):
            completed = event
        elif event.type in _FAILED_EVENTS:
            # The same failure the non-streamed call raises for a failed or incomplete response.
            raise ModelBehaviorError(f"The model's stream ended with {event.type!r}: {event}")
    if completed is None:
        raise ModelBehaviorError("The model's stream ended without a completed response")
    response = completed.response
    return ModelResponse(
        # Some providers leave the completed response's output empty and stream the items.
        output=list(response.output) or done,
        usage=_usage(response.usage),
        response_id=response.id,
        request_id=getattr(response, "_request_id", None),
    )
