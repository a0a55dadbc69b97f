"""Both sides: Agents SDK spans exported through OpenTelemetry, replay safe (``otel`` extra).

OpenInference's processor turns each Agents SDK trace and span into an OpenTelemetry span. It
is registered once per process (the global tracer provider is per process too) and hears every
event, replays included: the global provider must be Temporal's ``ReplaySafeTracerProvider``,
whose ids inside a workflow come from the run's deterministic generator and which drops any
span that ends while a workflow replays. Hearing the replayed events keeps the ids in step, so
a span begun before a replay and ended after it is exported once, with the ids it began with.

Content (messages, tool arguments and results, model outputs) can be kept out of the exported
spans: once anything in the process asks for that, every span the bridge exports from then on
is redacted, and nothing turns it back, so that one component's choice cannot loosen another's.
Redaction covers a failed span's error too: an exception's text can carry the customer's words
(a provider echoing the prompt, a tool raising with its arguments), so only its type, the
names of what failed and the SDK's own fixed messages are kept (`redaction.redacted_error`,
the rule the worker's logs follow too).
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import Any, cast

import opentelemetry.context
from agents.tracing import (
    Span,
    TracingProcessor,
    add_trace_processor,
    get_trace_provider,
)
from openinference.instrumentation import OITracer, TraceConfig
from openinference.instrumentation.openai_agents._processor import (
    OpenInferenceTracingProcessor,
)
from opentelemetry import trace as otel_trace
from temporalio.contrib.opentelemetry import ReplaySafeTracerProvider

from . import w3c
from .provider import ReplayAwareProcessor, TemporalTraceProvider, install_trace_provider
from .redaction import redacted_error

# OpenTelemetry picks its context implementation lazily, with file reads the workflow sandbox
# forbids; settle it here, outside any workflow.
opentelemetry.context.get_current()

_LOCK = threading.Lock()

# OpenInference replaces these attributes with "__REDACTED__" or drops them; span names, kinds,
# agent and tool names, timings, token counts and errors' types stay.
_REDACTED = TraceConfig(
    hide_inputs=True,
    hide_outputs=True,
    hide_input_messages=True,
    hide_output_messages=True,
    hide_input_images=True,
    hide_input_text=True,
    hide_output_text=True,
    hide_prompts=True,
    hide_choices=True,
    hide_embeddings_text=True,
    hide_retrieval_documents=True,
)


def check_global_provider() -> ReplaySafeTracerProvider:
    """The global tracer provider, which must be replay safe.

    Raises:
        ValueError: If it is anything else (including not set yet).
    """
    provider = otel_trace.get_tracer_provider()
    if not isinstance(provider, ReplaySafeTracerProvider):
        raise ValueError(
            "OpenAIAgentsPlugin(use_otel_instrumentation=True) needs the global OpenTelemetry "
            "tracer provider to be a ReplaySafeTracerProvider, so that replayed workflows do "
            f"not export their spans again; found {type(provider).__name__!r}. Create one with "
            "agents_temporal.opentelemetry.create_tracer_provider(exporters=[...]) and install "
            "it with opentelemetry.trace.set_tracer_provider(...) before making the plugin"
        )
    return provider


@dataclass
class _Borrowed:
    root: otel_trace.Span
    open_spans: int = 0


class AgentsSpansToOtel(OpenInferenceTracingProcessor, ReplayAwareProcessor):
    """OpenInference's processor, extended to traces that began in another process.

    OpenInference records only spans of traces it saw start. A workflow or an activity on
    another worker continues a trace its client started: there, the trace is given a stand-in
    root, the OpenTelemetry span current when its first span starts (the sender's span, carried
    in the Temporal header), for as long as spans of that trace are open.
    """

    def __init__(self, tracer: otel_trace.Tracer) -> None:
        super().__init__(tracer)
        self._borrowed: dict[str, _Borrowed] = {}
        self._borrow_lock = threading.Lock()
        self.redacting = False

    def redact_content(self, provider: otel_trace.TracerProvider) -> None:
        """Keep content out of every span started from now on (there is no way back)."""
        if not self.redacting:
            tracer = OITracer(provider.get_tracer("agents_temporal"), config=_REDACTED)
            self._tracer = cast(otel_trace.Tracer, tracer)
            self.redacting = True

    def trace_root(self, trace_id: str) -> otel_trace.Span | None:
        """The OpenTelemetry span standing for Agents SDK trace ``trace_id``, if open here."""
        return self._root_spans.get(trace_id)

    def on_span_start(self, span: Span[Any]) -> None:
        """Start the OpenTelemetry span, borrowing a root for a trace begun elsewhere."""
        if span.started_at:
            with self._borrow_lock:
                borrowed = self._borrowed.get(span.trace_id)
                if borrowed is None and span.trace_id not in self._root_spans:
                    borrowed = _Borrowed(otel_trace.get_current_span())
                    self._borrowed[span.trace_id] = borrowed
                    self._root_spans[span.trace_id] = borrowed.root
                if borrowed is not None:
                    borrowed.open_spans += 1
        super().on_span_start(span)

    def on_span_end(self, span: Span[Any]) -> None:
        """End the OpenTelemetry span; give back a borrowed root once its last span ends."""
        error = span.error
        if self.redacting and error is not None:
            # A copy: other processors of the same span keep what they were given.
            span = copy.copy(span)
            span.set_error(redacted_error(error))
        super().on_span_end(span)
        with self._borrow_lock:
            borrowed = self._borrowed.get(span.trace_id)
            if borrowed is None:
                return
            borrowed.open_spans -= 1
            if borrowed.open_spans > 0:
                return
            del self._borrowed[span.trace_id]
            if self._root_spans.get(span.trace_id) is borrowed.root:
                del self._root_spans[span.trace_id]


@dataclass
class _Installation:
    bridge: AgentsSpansToOtel | None = None
    registered_with: object = None
    exporting_to: object = None


_INSTALLATION = _Installation()


def _trace_root(trace_id: str) -> otel_trace.Span | None:
    bridge = _INSTALLATION.bridge
    return None if bridge is None else bridge.trace_root(trace_id)


w3c.set_trace_roots(_trace_root)


def _processors_of(provider: object) -> list[TracingProcessor]:
    if isinstance(provider, TemporalTraceProvider):
        return list(provider.processors())
    return []


def install_bridge(*, redact_content: bool = False) -> AgentsSpansToOtel:
    """Export Agents SDK spans through the global tracer provider, from now on.

    Idempotent; registers the processor again if the SDK's processors were replaced since.

    Args:
        redact_content: Keep messages, tool arguments and outputs out of the exported spans,
            for this and every later call in the process.

    Raises:
        ValueError: If the global tracer provider is not replay safe.
    """
    provider = check_global_provider()
    install_trace_provider()
    state = _INSTALLATION
    with _LOCK:
        old = state.bridge
        if old is None or state.exporting_to is not provider:
            # A new global tracer provider (tests install one each) gets a bridge of its own:
            # the old one's tracer would go on exporting to the provider it was made with.
            tracer = OITracer(provider.get_tracer("agents_temporal"), config=TraceConfig())
            state.bridge = AgentsSpansToOtel(cast(otel_trace.Tracer, tracer))
            state.exporting_to = provider
        bridge = state.bridge
        assert bridge is not None
        if redact_content:
            bridge.redact_content(provider)
        agents_provider = get_trace_provider()
        if old is not None and old is not bridge:
            state.registered_with = None
            registered = _processors_of(agents_provider)
            if any(p is old for p in registered):
                agents_provider.set_processors([p for p in registered if p is not old])
        if isinstance(agents_provider, TemporalTraceProvider):
            # Our provider can list its processors: register again if the list was replaced.
            needed = not any(p is bridge for p in agents_provider.processors())
        else:
            needed = state.registered_with is not agents_provider
        if needed:
            add_trace_processor(bridge)
            state.registered_with = agents_provider
        return bridge
