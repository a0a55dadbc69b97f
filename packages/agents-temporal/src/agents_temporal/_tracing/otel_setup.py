"""Client and worker: replay-safe OpenTelemetry tracer providers with their exporters."""

from __future__ import annotations

import os
from collections.abc import Sequence

from opentelemetry import trace as otel_trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanLimits, sampling
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator
from temporalio.contrib.opentelemetry import ReplaySafeTracerProvider
from temporalio.contrib.opentelemetry import create_tracer_provider as _temporal_tracer_provider

ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
"""The standard variable naming the OTLP receiver's base URL (``http://localhost:4318``)."""

_TRACES_PATH = "/v1/traces"


def create_tracer_provider(
    exporters: Sequence[SpanExporter] = (),
    *,
    batch: bool = True,
    resource: Resource | None = None,
    sampler: sampling.Sampler | None = None,
    id_generator: IdGenerator | None = None,
    span_limits: SpanLimits | None = None,
    shutdown_on_exit: bool = True,
) -> ReplaySafeTracerProvider:
    """A replay-safe tracer provider that sends every span to each of ``exporters``.

    The form the integration's documentation uses,
    ``create_tracer_provider(exporters=[...])``, on top of
    ``temporalio.contrib.opentelemetry.create_tracer_provider``: the result is the same
    ``ReplaySafeTracerProvider``, ready for ``opentelemetry.trace.set_tracer_provider``.

    Example:
        ```python
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from agents_temporal.opentelemetry import create_tracer_provider

        provider = create_tracer_provider(exporters=[OTLPSpanExporter()])
        trace.set_tracer_provider(provider)
        ```

    Args:
        exporters: Where spans go; each gets a processor of its own.
        batch: Export in the background, in batches (the default). ``False`` exports each span
            as it ends, which suits tests and console output; a slow exporter then slows the
            workflow task that ends the span.
        resource: The resource spans describe (``service.name`` and so on).
        sampler: Which traces to record.
        id_generator: Ids outside workflows (inside them, ids are always deterministic).
        span_limits: Limits on attributes, events and links per span.
        shutdown_on_exit: Flush and shut the provider down when the process exits.

    Returns:
        The provider; install it with ``opentelemetry.trace.set_tracer_provider``.
    """
    provider = _temporal_tracer_provider(
        sampler=sampler,
        resource=resource,
        shutdown_on_exit=shutdown_on_exit,
        id_generator=id_generator,
        span_limits=span_limits,
    )
    for exporter in exporters:
        processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
        provider.add_span_processor(processor)
    return provider


def _traces_url(endpoint: str) -> str:
    # The variable names the receiver's base URL; the HTTP exporter, given an endpoint
    # explicitly, posts to it as it is.
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith(_TRACES_PATH) else endpoint + _TRACES_PATH


def configure_otlp_export(
    service_name: str, endpoint: str | None = None
) -> ReplaySafeTracerProvider | None:
    """Send this process's spans to an OTLP/HTTP receiver, when one is configured.

    Makes (or extends) the global replay-safe tracer provider with a batching OTLP/HTTP
    exporter. Call it once at start-up, before making ``OpenAIAgentsPlugin``, and turn the
    plugin's ``use_otel_instrumentation`` on when it returns a provider.

    Example:
        ```python
        provider = configure_otlp_export("agent-worker")
        plugin = OpenAIAgentsPlugin(use_otel_instrumentation=provider is not None)
        ```

    Args:
        service_name: The ``service.name`` the spans carry (``agent-worker``, ``agent-console``).
        endpoint: The receiver's base URL (``http://localhost:4318``) or its full traces URL.
            Defaults to ``OTEL_EXPORTER_OTLP_ENDPOINT``.

    Returns:
        The global provider, or None when no endpoint is configured (nothing is exported).

    Raises:
        ValueError: If another, not replay-safe, global tracer provider is already installed.
    """
    endpoint = endpoint or os.environ.get(ENDPOINT_ENV)
    if not endpoint:
        return None
    exporter = OTLPSpanExporter(endpoint=_traces_url(endpoint))
    current = otel_trace.get_tracer_provider()
    if isinstance(current, ReplaySafeTracerProvider):
        current.add_span_processor(BatchSpanProcessor(exporter))
        return current
    if not isinstance(current, otel_trace.ProxyTracerProvider):
        raise ValueError(
            f"A global OpenTelemetry tracer provider ({type(current).__name__!r}) is already "
            "installed and is not replay safe, so OTLP export cannot be added to it: install "
            "agents_temporal.opentelemetry.create_tracer_provider(...) as the global provider "
            "instead"
        )
    provider = create_tracer_provider(
        [exporter], resource=Resource.create({SERVICE_NAME: service_name})
    )
    otel_trace.set_tracer_provider(provider)
    return provider
