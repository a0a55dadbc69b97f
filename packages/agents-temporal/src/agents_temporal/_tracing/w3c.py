"""Both sides: OpenTelemetry's current span as W3C trace-context headers.

Imported only when OpenTelemetry is installed (``_tracing_context`` falls back to carrying the
Agents SDK context alone).
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Mapping

from opentelemetry import context as otel_context
from opentelemetry import trace as otel_trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_PROPAGATOR = TraceContextTextMapPropagator()

# OpenTelemetry picks its context implementation on first use, through entry points and file
# reads the workflow sandbox forbids; using it once here, at import, settles that.
otel_context.get_current()


def current_carrier() -> dict[str, str]:
    """The current OpenTelemetry span as W3C headers (empty when there is none)."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
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
