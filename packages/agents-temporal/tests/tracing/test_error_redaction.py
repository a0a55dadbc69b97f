"""Failed spans' error text follows the trace-content switch: exported only when content is.

An exception's message can carry content: a provider echoing the prompt it refused, a tool
raising with its arguments. Once, with content redaction on, that text still reached the
exported spans as their status description. The Agents SDK runs here outside Temporal, through
the same bridge the plugin installs, into a real OpenTelemetry SDK exporter; this keeps the
process-wide redaction switch out of the test process's global state.
"""

from __future__ import annotations

from typing import cast

import pytest
from agents import Agent, ModelResponse, RunConfig, Runner, function_tool
from agents.tracing import SpanError
from openinference.instrumentation import OITracer, TraceConfig
from opentelemetry import trace as otel_trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agents_temporal._tracing.otel import AgentsSpansToOtel
from agents_temporal._tracing.redaction import REDACTED_ERROR_TEXT, redacted_error
from agents_temporal.testing import ModelRequest, ResponseBuilders, TestModel
from tests.tracing.support import agents_tracing

CARD = "4111-1111-1111-1111 exp 09/29"
PROMPT = "my address is 221B Baker Street"


class ProviderRejected(Exception):
    """A provider error that quotes the request, as some do."""


@function_tool
def charge_card(card: str) -> str:
    """Charge the customer's card."""
    raise ValueError(f"card {card} was declined")


def echoing_model() -> TestModel:
    def respond(request: ModelRequest) -> ModelResponse:
        if not request.tool_outputs():
            return ResponseBuilders.tool_call(f'{{"card": "{CARD}"}}', "charge_card")
        raise ProviderRejected(f"content policy: refused input {PROMPT!r}")

    return TestModel(respond)


def exported_text(spans: tuple[ReadableSpan, ...]) -> str:
    texts: list[str] = []
    for span in spans:
        texts.append(span.name)
        texts.append(span.status.description or "")
        texts.extend(str(value) for value in (span.attributes or {}).values())
        for event in span.events:
            texts.append(event.name)
            texts.extend(str(value) for value in (event.attributes or {}).values())
    return "\n".join(texts)


async def run_failing_turn(*, redact: bool) -> tuple[ReadableSpan, ...]:
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = OITracer(provider.get_tracer("test"), config=TraceConfig())
    bridge = AgentsSpansToOtel(cast(otel_trace.Tracer, tracer))
    if redact:
        bridge.redact_content(provider)
    agent = Agent[None](name="Billing", instructions="Charge the card.", tools=[charge_card])
    with agents_tracing(bridge), pytest.raises(ProviderRejected):
        await Runner.run(
            agent, PROMPT, run_config=RunConfig(model=echoing_model(), workflow_name="Turn")
        )
    provider.shutdown()
    return exporter.get_finished_spans()


@pytest.mark.parametrize("redact", [False, True], ids=["content", "redacted"])
async def test_error_text_is_exported_only_with_content(redact: bool) -> None:
    spans = await run_failing_turn(redact=redact)
    text = exported_text(spans)
    failed = [s for s in spans if s.status.status_code == otel_trace.StatusCode.ERROR]
    assert failed, "the failures are on the spans either way"
    for secret in (CARD, PROMPT):
        assert (secret in text) != redact, (secret, text)
    if redact:
        # What failed stays readable: the SDK's own words and the tool's name.
        descriptions = "\n".join(s.status.description or "" for s in failed)
        assert "Error running tool" in descriptions
        assert "charge_card" in descriptions
        assert "Error in agent run" in descriptions


def test_a_redacted_error_keeps_its_type_and_names_only() -> None:
    # The shape our interceptor records: the exception's text as the message, its type.
    error = SpanError(
        message=f"card {CARD} was declined",
        data={"type": "ValueError", "tool_name": "charge_card", "error": PROMPT},
    )
    assert redacted_error(error) == SpanError(
        message=f"ValueError ({REDACTED_ERROR_TEXT})",
        data={"type": "ValueError", "tool_name": "charge_card"},
    )
    assert redacted_error(SpanError(message="Error running tool", data=None)) == SpanError(
        message="Error running tool", data=None
    )
