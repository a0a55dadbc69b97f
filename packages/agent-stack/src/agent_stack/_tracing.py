"""Where the worker's and the console's traces go, and what they may carry, from settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypedDict

from agents import set_trace_processors

from agent_stack._settings import Settings
from agents_temporal.opentelemetry import configure_otlp_export


class PluginTracingOptions(TypedDict):
    """The tracing keyword arguments of `agents_temporal.OpenAIAgentsPlugin`."""

    use_otel_instrumentation: bool
    trace_content: bool


@dataclass(frozen=True)
class TracingChoice:
    """What `configure_tracing` set up: ``OpenAIAgentsPlugin(**choice.plugin_options())``."""

    otel_export: bool
    """Whether spans are exported over OTLP (OTEL_EXPORTER_OTLP_ENDPOINT is set)."""

    content: bool
    """Whether exported spans carry messages, tool arguments and outputs (TRACE_CONTENT)."""

    def plugin_options(self) -> PluginTracingOptions:
        """The tracing keyword arguments of `agents_temporal.OpenAIAgentsPlugin`."""
        return PluginTracingOptions(
            use_otel_instrumentation=self.otel_export, trace_content=self.content
        )


def configure_tracing(settings: Settings, component: Literal["worker", "console"]) -> TracingChoice:
    """Set up this process's tracing from settings; call it once, before making the plugin.

    - Unless OPENAI_TRACE_EXPORT is true, the Agents SDK's own exporter to the OpenAI platform
      is removed (with any trace processor registered before this call: register your own
      after it). Left in place, it sends every conversation, with OPENAI_API_KEY, to OpenAI as
      soon as that key is set, whichever provider serves the models.
    - With OTEL_EXPORTER_OTLP_ENDPOINT set, spans are exported there, named
      ``durable-agents-<component>`` unless OTEL_SERVICE_NAME says otherwise; their content is
      kept out when payloads are encrypted, unless TRACE_CONTENT says otherwise.
    """
    if not settings.openai_trace_export:
        set_trace_processors([])
    provider = configure_otlp_export(
        settings.service_name(component), settings.otel_exporter_otlp_endpoint
    )
    return TracingChoice(otel_export=provider is not None, content=settings.trace_content_exported)
