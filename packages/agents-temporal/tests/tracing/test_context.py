"""The trace context's wire form, and spans of traces that began in another process."""

from __future__ import annotations

from typing import Any, cast

from agents.tracing import CustomSpanData
from agents.tracing.spans import SpanImpl
from openinference.instrumentation import OITracer, TraceConfig
from opentelemetry import trace as otel_trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.api.common.v1 import Payload

from agents_temporal._tracing.context import HEADER, TraceContext, from_headers, with_context
from agents_temporal._tracing.otel import AgentsSpansToOtel
from agents_temporal.opentelemetry import create_tracer_provider
from tests.tracing.support import parent_id, span_id, trace_id


def test_the_context_round_trips_through_headers() -> None:
    context = TraceContext(
        trace_id="trace_" + "a" * 32,
        workflow_name="Support",
        group_id="conversation-7",
        metadata={"customer": "c-1"},
        span_id="span_" + "b" * 24,
        otel={"traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-01"},
    )
    headers = with_context({"other": Payload(data=b"kept")}, context)
    assert headers["other"].data == b"kept"
    assert from_headers(headers) == context
    assert with_context({}, None) == {}


def test_unencodable_metadata_is_left_behind_not_the_trace() -> None:
    context = TraceContext(trace_id="trace_1", workflow_name="w", metadata={"x": object()})
    restored = from_headers(with_context({}, context))
    assert restored == TraceContext(trace_id="trace_1", workflow_name="w")


def test_a_malformed_header_is_no_context() -> None:
    assert from_headers({HEADER: Payload(metadata={"encoding": b"json/plain"}, data=b"{")}) is None
    assert from_headers({HEADER: Payload(metadata={"encoding": b"json/plain"}, data=b"[]")}) is None
    assert from_headers({}) is None


def agents_span(bridge: AgentsSpansToOtel, name: str, span: str, parent: str | None) -> Any:
    return SpanImpl(
        trace_id="trace_" + "c" * 32,
        span_id=span,
        parent_id=parent,
        processor=bridge,
        span_data=CustomSpanData(name=name, data={}),
        tracing_api_key=None,
    )


def test_spans_of_a_trace_begun_elsewhere_hang_under_the_senders_span() -> None:
    exporter = InMemorySpanExporter()
    provider = create_tracer_provider([exporter], batch=False)
    tracer = OITracer(provider.get_tracer("test"), config=TraceConfig())
    bridge = AgentsSpansToOtel(cast(otel_trace.Tracer, tracer))
    # The sender's span, as a worker sees it: from the Temporal header, in the current context.
    sender = provider.get_tracer("client").start_span("client span")
    with otel_trace.use_span(sender, end_on_exit=True):
        child = agents_span(bridge, "child of a remote span", "span_1", "span_remote")
        root_child = agents_span(bridge, "child of the trace", "span_2", None)
        child.start()
        root_child.start()
        grandchild = agents_span(bridge, "grandchild", "span_3", "span_1")
        grandchild.start()
        grandchild.finish()
        root_child.finish()
        child.finish()
    spans = {s.name: s for s in exporter.get_finished_spans()}
    assert parent_id(spans["child of a remote span"]) == span_id(spans["client span"])
    assert parent_id(spans["child of the trace"]) == span_id(spans["client span"])
    assert parent_id(spans["grandchild"]) == span_id(spans["child of a remote span"])
    assert len({trace_id(s) for s in spans.values()}) == 1
    # The borrowed root was given back: nothing of the trace stays in flight.
    drained: list[bool] = []
    bridge.drain(lambda: drained.append(True))
    assert drained == [True]
    provider.shutdown()
