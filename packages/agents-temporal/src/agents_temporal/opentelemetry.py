"""OpenTelemetry export for agents in workflows (needs ``pip install "agents-temporal[otel]"``).

Make a replay-safe tracer provider, install it globally, and turn on the plugin's
``use_otel_instrumentation``: Agents SDK spans (traces, agents, model calls, tools, handoffs)
and Temporal's own spans then reach your exporters, once each, however often workflows replay.

Example:
    ```python
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    from agents_temporal import OpenAIAgentsPlugin
    from agents_temporal.opentelemetry import create_tracer_provider

    trace.set_tracer_provider(create_tracer_provider(exporters=[OTLPSpanExporter()]))
    plugin = OpenAIAgentsPlugin(use_otel_instrumentation=True)
    ```
"""

from ._tracing.otel_gate import OTEL_EXTRA_HINT as _OTEL_EXTRA_HINT

try:
    from temporalio.contrib.opentelemetry import ReplaySafeTracerProvider

    from ._tracing.otel_setup import ENDPOINT_ENV, configure_otlp_export, create_tracer_provider
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError(
        f"agents_temporal.opentelemetry needs the otel extra ({error}): {_OTEL_EXTRA_HINT}"
    ) from error

__all__ = [
    "ENDPOINT_ENV",
    "ReplaySafeTracerProvider",
    "configure_otlp_export",
    "create_tracer_provider",
]
