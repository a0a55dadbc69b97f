"""Tracing of the worker and the console: the OpenAI exporter, OTLP export, content redaction."""

from agent_stack._tracing import PluginTracingOptions, TracingChoice, configure_tracing

__all__ = [
    "PluginTracingOptions",
    "TracingChoice",
    "configure_tracing",
]
