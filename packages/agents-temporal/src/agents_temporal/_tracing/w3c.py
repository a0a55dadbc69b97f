"""Both sides: OpenTelemetry's current span as W3C trace-context headers.

Imported only when OpenTelemetry is installed (``_tracing_context`` falls back to carrying the
Agents SDK context alone).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator, Mapping

from opentelemetry import context as otel_context
from opentelemetry import trace as otel_trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_PROPAGATOR = TraceContextTextMapPropagator()

# OpenTelemetry picks its context implementation on first use, through entry points and file
# reads the workflow sandbox forbids; using it once here, at import, settles that.
otel_context.get_current()


_trace_roots: Callable[[str], otel_trace.Span | None] | None = None


def set_trace_roots(lookup: Callable[[str], otel_trace.Span | None]) -> None:
    """Tell ``trace_root_carrier`` where the OpenTelemetry span of an Agents SDK trace is.

    The OpenTelemetry bridge, when installed, makes a span for each trace but never makes it
    current (only the spans inside it), so it is looked up by trace id.
    """
    global _trace_roots
    _trace_roots = lookup


def current_carrier() -> dict[str, str]:
    """The current OpenTelemetry span as W3C headers (empty when there is none)."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier


def trace_root_carrier(trace_id: str) -> dict[str, str]:
    """The OpenTelemetry span of Agents SDK trace ``trace_id`` as W3C headers.

    For work sent from inside a trace but outside any of its spans: the receiver's spans
    belong under the trace's own span. Without the bridge (or a span for that trace), the
    current OpenTelemetry span.
    """
    root = _trace_roots(trace_id) if _trace_roots is not None else None
    if root is None or not root.get_span_context().is_valid:
        return current_carrier()
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier, context=otel_trace.set_span_in_context(root))
    return carrier


@contextlib.contextmanager
def sender_span_attached(carrier: Mapping[str, str]) -> Generator[None]:
    """Make the sender's span current for the block, unless a span is current already.

    Temporal's own OpenTelemetry interceptor may have attached its span (``RunWorkflow``, say)
    from its header; that span is in the same trace and closer to this work, so it wins.
    """
    if not carrier or otel_trace.get_current_span().get_span_context().is_valid:
        yield
        return
    token = otel_context.attach(_PROPAGATOR.extract(carrier))
    try:
        yield
    finally:
        otel_context.detach(token)


def current_context() -> otel_context.Context:
    """The current OpenTelemetry context (the current span among it)."""
    return otel_context.get_current()


@contextlib.contextmanager
def context_attached(context: otel_context.Context) -> Generator[None]:
    """Make ``context`` current for the block."""
    token = otel_context.attach(context)
    try:
        yield
    finally:
        otel_context.detach(token)
