"""Shared helpers of the tracing tests: the scripted model, span trees, local receivers."""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from agents import ModelResponse, set_trace_processors, set_tracing_disabled
from agents.tracing import Span as AgentsSpan
from agents.tracing import Trace, TracingProcessor, get_trace_provider
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agents_temporal import ModelActivityParameters
from agents_temporal._tracing.provider import (
    ReplayAwareProcessor,
    TemporalTraceProvider,
    install_trace_provider,
)
from agents_temporal.testing import ModelRequest, ResponseBuilders, TestModel

PARAMS = ModelActivityParameters(start_to_close_timeout=timedelta(seconds=10))


def triage_model() -> TestModel:
    """Triage hands off to Orders; Orders looks the order up, then answers."""

    def respond(request: ModelRequest) -> ModelResponse:
        if not any(tool.name == "lookup_order" for tool in request.tools):
            return ResponseBuilders.tool_call("{}", "transfer_to_orders")
        looked_up = [out for out in request.tool_outputs() if "shipped" in out]
        if not looked_up:
            return ResponseBuilders.tool_call('{"order_id": "A1"}', "lookup_order")
        return ResponseBuilders.output_message(f"Good news: {looked_up[-1]}")

    return TestModel(respond)


# -- OpenTelemetry spans ------------------------------------------------------------------------


class Relay(SpanProcessor):
    """Forwards ended spans to the processors a test adds (the global provider cannot drop any)."""

    def __init__(self) -> None:
        self.targets: list[SpanProcessor] = []
        self.starts: list[tuple[str, int, int | None]] | None = None

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        # Spans start during replays too (only their end is dropped): recording the starts
        # shows which ids a replay makes.
        if self.starts is not None:
            context = span.get_span_context()
            self.starts.append((span.name, context.span_id, span.parent and span.parent.span_id))

    @contextmanager
    def recording_starts(self) -> Generator[list[tuple[str, int, int | None]]]:
        self.starts = []
        try:
            yield self.starts
        finally:
            self.starts = None

    def on_end(self, span: ReadableSpan) -> None:
        for target in self.targets:
            target.on_end(span)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return all(target.force_flush(timeout_millis) for target in self.targets)

    @contextmanager
    def exporting_to(self, exporter: SpanExporter) -> Generator[SpanProcessor]:
        processor = SimpleSpanProcessor(exporter)
        self.targets.append(processor)
        try:
            yield processor
        finally:
            self.targets.remove(processor)
            processor.shutdown()


@dataclass
class OtelSpans:
    """The session's OpenTelemetry spans, as the global replay-safe provider exported them."""

    exporter: InMemorySpanExporter
    relay: Relay

    def finished(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def clear(self) -> None:
        self.exporter.clear()


def span_id(span: ReadableSpan) -> int:
    context = span.get_span_context()
    assert context is not None
    return context.span_id


def trace_id(span: ReadableSpan) -> int:
    context = span.get_span_context()
    assert context is not None
    return context.trace_id


def parent_id(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


@dataclass
class Node:
    name: str
    children: list[Node] = field(default_factory=list["Node"])

    def render(self, depth: int = 0) -> list[str]:
        lines = ["  " * depth + self.name]
        for child in self.children:
            lines.extend(child.render(depth + 1))
        return lines


def span_tree(spans: Sequence[ReadableSpan]) -> list[str]:
    """The spans as an indented tree of names, children in start order; orphans are roots."""
    ordered = sorted(spans, key=lambda s: (s.start_time or 0, s.name))
    nodes = {span_id(s): Node(s.name) for s in ordered}
    roots: list[Node] = []
    for span in ordered:
        parent = parent_id(span)
        if parent in nodes:
            nodes[parent].children.append(nodes[span_id(span)])
        else:
            roots.append(nodes[span_id(span)])
    return [line for root in roots for line in root.render()]


def by_name(spans: Iterable[ReadableSpan], name: str) -> ReadableSpan:
    matches = [s for s in spans if s.name == name]
    assert len(matches) == 1, f"expected one span {name!r}, found {len(matches)}"
    return matches[0]


def ancestors(span: ReadableSpan, spans: Sequence[ReadableSpan]) -> list[str]:
    """Names from ``span``'s parent up to its root, as far as the spans reach."""
    index = {span_id(s): s for s in spans}
    names: list[str] = []
    current = index.get(parent_id(span) or 0)
    while current is not None:
        names.append(current.name)
        current = index.get(parent_id(current) or 0)
    return names


# -- Agents SDK tracing --------------------------------------------------------------------------


@contextmanager
def agents_tracing(*processors: TracingProcessor) -> Generator[TemporalTraceProvider]:
    """Turn Agents SDK tracing on for one test, with only ``processors`` listening.

    The session runs with tracing off and the SDK's OpenAI exporter registered; both come back
    afterwards.
    """
    install_trace_provider()
    provider = get_trace_provider()
    assert isinstance(provider, TemporalTraceProvider)
    saved = list(provider.processors())
    set_trace_processors(list(processors))
    set_tracing_disabled(False)
    try:
        yield provider
    finally:
        set_tracing_disabled(True)
        set_trace_processors(saved)


class Probe(ReplayAwareProcessor):
    """Records every Agents SDK span start, replays included (name, span, parent, trace)."""

    def __init__(self) -> None:
        self.starts: list[tuple[str, str, str | None, str]] = []

    def on_trace_start(self, trace: Trace) -> None:
        pass

    def on_trace_end(self, trace: Trace) -> None:
        pass

    def on_span_start(self, span: AgentsSpan[Any]) -> None:
        name = str(getattr(span.span_data, "name", None) or span.span_data.type)
        self.starts.append((name, span.span_id, span.parent_id, span.trace_id))

    def on_span_end(self, span: AgentsSpan[Any]) -> None:
        pass

    def shutdown(self) -> None:
        pass

    def force_flush(self) -> None:
        pass


# -- A local HTTP receiver ------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """An HTTP server on 127.0.0.1 that answers 200 to every POST and keeps what it got."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                data = self.rfile.read(length)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver._changed:
                    receiver.requests.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, data)
                    )
                    receiver._changed.notify_all()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def wait_for(self, done: Callable[[list[Received]], bool], timeout: float = 10) -> None:
        """Wait until ``done(requests)`` holds."""
        with self._changed:
            assert self._changed.wait_for(lambda: done(self.requests), timeout), self.requests

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
