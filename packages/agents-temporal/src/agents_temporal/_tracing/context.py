"""Both sides: the trace context that travels in Temporal headers.

The context says which Agents SDK trace and span the receiver works under, and, when
OpenTelemetry is installed, which OpenTelemetry span (W3C ``traceparent``), so that spans made
by the receiver (a workflow, an activity, a child workflow, possibly in another process) join
the sender's trace in both systems. The trace's API key is never sent: headers are recorded in
workflow history.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, cast

from agents.tracing import (
    CustomSpanData,
    Span,
    Trace,
    TracingProcessor,
    get_current_span,
    get_current_trace,
)
from agents.tracing.scope import Scope
from agents.tracing.spans import SpanImpl
from agents.tracing.traces import ReattachedTrace
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadConverter

try:
    from . import w3c as w3c
except ImportError:  # OpenTelemetry is not installed: only the Agents SDK context travels
    w3c = None

HEADER = "_agents-temporal-trace"
"""The Temporal header that carries the trace context."""

_logger = logging.getLogger(__name__)
_NO_OP = "no-op"


class _Silent(TracingProcessor):
    """Receives the events of the remote-parent stand-in, which must never be exported."""

    def on_trace_start(self, trace: Trace) -> None:
        pass

    def on_trace_end(self, trace: Trace) -> None:
        pass

    def on_span_start(self, span: Span[Any]) -> None:
        pass

    def on_span_end(self, span: Span[Any]) -> None:
        pass

    def shutdown(self) -> None:
        pass

    def force_flush(self) -> None:
        pass


_SILENT = _Silent()


@dataclass(frozen=True)
class TraceContext:
    """Where a unit of work sits in its sender's trace."""

    trace_id: str
    """The Agents SDK trace id."""
    workflow_name: str
    """The trace's name (the SDK calls it the workflow name)."""
    group_id: str | None = None
    """The trace's group (a conversation id, say)."""
    metadata: dict[str, Any] | None = None
    """The trace's metadata."""
    span_id: str | None = None
    """The Agents SDK span the receiver's spans are children of; None for the trace's root."""
    otel: dict[str, str] = field(default_factory=dict[str, str])
    """The OpenTelemetry context in W3C trace-context form (empty without OpenTelemetry)."""


def capture(span: Span[Any] | None = None) -> TraceContext | None:
    """The current trace context, with ``span`` (default: the current span) as the parent."""
    trace = get_current_trace()
    if trace is None or trace.trace_id == _NO_OP:
        return None
    span = span if span is not None else get_current_span()
    if span is not None and span.span_id == _NO_OP:
        span = None
    carrier: dict[str, str] = {}
    if w3c is not None:
        # Inside a span, its OpenTelemetry span is current; at a trace's top level (a client
        # starting a workflow in `trace(...)` and no span), the trace's own span is the parent.
        carrier = (
            w3c.current_carrier() if span is not None else w3c.trace_root_carrier(trace.trace_id)
        )
    metadata = getattr(trace, "metadata", None)
    group_id = getattr(trace, "group_id", None)
    return TraceContext(
        trace_id=trace.trace_id,
        workflow_name=trace.name,
        group_id=group_id if isinstance(group_id, str) else None,
        metadata=dict(cast(dict[str, Any], metadata)) if isinstance(metadata, dict) else None,
        span_id=span.span_id if span is not None else None,
        otel=carrier,
    )


def with_context(
    headers: Mapping[str, Payload], context: TraceContext | None
) -> Mapping[str, Payload]:
    """``headers`` plus ``context`` (unchanged when there is no context)."""
    if context is None:
        return headers
    body = {
        "trace_id": context.trace_id,
        "workflow_name": context.workflow_name,
        "group_id": context.group_id,
        "metadata": context.metadata,
        "span_id": context.span_id,
        "otel": context.otel,
    }
    try:
        payload = PayloadConverter.default.to_payloads([body])[0]
    except Exception:
        # Metadata the JSON converter cannot encode is left behind rather than the trace.
        payload = PayloadConverter.default.to_payloads([{**body, "metadata": None}])[0]
    return {**headers, HEADER: payload}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def from_headers(headers: Mapping[str, Payload]) -> TraceContext | None:
    """The context in ``headers``, or None.

    A malformed header counts as none: tracing never fails the work it traces.
    """
    payload = headers.get(HEADER)
    if payload is None:
        return None
    try:
        body = PayloadConverter.default.from_payloads([payload])[0]
    except Exception:
        _logger.warning("Ignoring an unreadable %s header", HEADER, exc_info=True)
        return None
    if not isinstance(body, dict):
        return None
    fields: dict[str, Any] = {str(k): v for k, v in body.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    trace_id = _text(fields.get("trace_id"))
    if trace_id is None:
        return None
    metadata = fields.get("metadata")
    otel = fields.get("otel")
    return TraceContext(
        trace_id=trace_id,
        workflow_name=_text(fields.get("workflow_name")) or "Agent workflow",
        group_id=_text(fields.get("group_id")),
        metadata={str(k): v for k, v in metadata.items()} if isinstance(metadata, dict) else None,  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
        span_id=_text(fields.get("span_id")),
        otel={str(k): str(v) for k, v in otel.items()} if isinstance(otel, dict) else {},  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    )


@contextlib.contextmanager
def attached(context: TraceContext | None) -> Generator[None]:
    """Run the block inside ``context``: new spans become children of the sender's span.

    The trace is made current without trace-start events (the sender started it and exports
    it), and the sender's span is represented by a stand-in that is never exported.
    """
    if context is None:
        yield
        return
    with w3c.sender_span_attached(context.otel) if w3c is not None else contextlib.nullcontext():
        trace = ReattachedTrace(
            name=context.workflow_name,
            trace_id=context.trace_id,
            group_id=context.group_id,
            metadata=context.metadata,
            tracing_api_key=None,
        )
        trace.start(mark_as_current=True)
        span_token = None
        if context.span_id is not None:
            parent = SpanImpl(
                trace_id=context.trace_id,
                span_id=context.span_id,
                parent_id=None,
                processor=_SILENT,
                span_data=CustomSpanData(name="remote parent", data={}),
                tracing_api_key=None,
                trace_metadata=context.metadata,
            )
            span_token = Scope.set_current_span(parent)
        try:
            yield
        finally:
            if span_token is not None:
                Scope.reset_current_span(span_token)
            trace.finish(reset_current=True)


class TraceScope:
    """The trace a workflow handler runs in, to carry to work it hands to another task.

    A conversation workflow receives a message in an update handler and answers it in its main
    loop. Captured in the handler and attached around the turn, the scope makes the turn part
    of the trace the message came with: the client's Agents SDK trace if it had one, and the
    OpenTelemetry span of the update (Temporal's ``HandleUpdate`` span, or the client's span),
    so that each turn is one trace. Held in memory only; a replay captures it again.

    Example:
        ```python
        @workflow.update
        async def send_message(self, text: str) -> str:
            self.inbox.append((text, TraceScope.current()))
            ...

        async def take_turn(self, text: str, scope: TraceScope) -> None:
            with scope.attached():
                await Runner.run(agent, text)
        ```
    """

    def __init__(self, agents: TraceContext | None, otel: object | None) -> None:
        self._agents = agents
        self._otel = otel

    @classmethod
    def current(cls) -> TraceScope:
        """The trace scope of the code running now."""
        otel = w3c.current_context() if w3c is not None else None
        return cls(capture(), otel)

    @contextlib.contextmanager
    def attached(self) -> Generator[None]:
        """Run the block in this scope."""
        with contextlib.ExitStack() as stack:
            if w3c is not None and self._otel is not None:
                stack.enter_context(w3c.context_attached(cast(Any, self._otel)))
            # The OpenTelemetry context is attached whole above; the Agents SDK trace alone
            # remains to attach.
            agents = self._agents
            stack.enter_context(attached(replace(agents, otel={}) if agents else None))
            yield
