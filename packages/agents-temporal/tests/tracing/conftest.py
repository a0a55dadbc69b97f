"""OpenTelemetry for the tracing tests: one global replay-safe provider for the whole session.

``opentelemetry.trace.set_tracer_provider`` works once per process, so the provider is made
once, the first time a tracing test needs it, and tests clear its in-memory exporter instead of
replacing it. Tests that need another global provider run in a subprocess.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest
from opentelemetry import trace as otel_trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agents_temporal.opentelemetry import ReplaySafeTracerProvider, create_tracer_provider
from tests.tracing.support import OtelSpans, Relay


@pytest.fixture(scope="session")
def otel_session() -> OtelSpans:
    current = otel_trace.get_tracer_provider()
    provider = (
        current if isinstance(current, ReplaySafeTracerProvider) else create_tracer_provider()
    )
    exporter = InMemorySpanExporter()
    relay = Relay()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    provider.add_span_processor(relay)
    if provider is not current:
        otel_trace.set_tracer_provider(provider)
    return OtelSpans(exporter, relay)


@pytest.fixture
def otel(otel_session: OtelSpans) -> Generator[OtelSpans]:
    otel_session.clear()
    yield otel_session
    otel_session.clear()
