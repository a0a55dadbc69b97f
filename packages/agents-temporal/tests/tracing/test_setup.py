"""Setting OpenTelemetry export up: the provider helpers, and the errors that say what to do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from opentelemetry import trace as otel_trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import agents_temporal.opentelemetry
from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.opentelemetry import (
    ReplaySafeTracerProvider,
    configure_otlp_export,
    create_tracer_provider,
)

ROOT = Path(__file__).parents[2]


def test_the_public_module_exports_its_sorted_names() -> None:
    module = agents_temporal.opentelemetry
    public = sorted(
        name for name in vars(module) if not name.startswith("_") and name != "annotations"
    )
    assert module.__all__ == public


@pytest.mark.parametrize("batch", [True, False])
def test_create_tracer_provider_with_exporters(batch: bool) -> None:
    """The specification's ``create_tracer_provider(exporters=[...])``, on our import path."""
    first, second = InMemorySpanExporter(), InMemorySpanExporter()
    provider = create_tracer_provider(exporters=[first, second], batch=batch)
    assert isinstance(provider, ReplaySafeTracerProvider)
    with provider.get_tracer(__name__).start_as_current_span("outside any workflow"):
        pass
    assert provider.force_flush()
    assert [s.name for s in first.get_finished_spans()] == ["outside any workflow"]
    assert [s.name for s in second.get_finished_spans()] == ["outside any workflow"]
    provider.shutdown()


def test_configure_otlp_export_does_nothing_without_an_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    before = otel_trace.get_tracer_provider()
    assert configure_otlp_export("agent-worker") is None
    assert otel_trace.get_tracer_provider() is before


def test_configure_otlp_export_extends_a_replay_safe_provider(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A provider of the test's own stands in for the global one, which cannot be replaced.
    existing = create_tracer_provider()
    monkeypatch.setattr(otel_trace, "get_tracer_provider", lambda: existing)
    assert configure_otlp_export("agent-worker", "http://127.0.0.1:9/") is existing
    existing.shutdown()


def test_missing_dependencies_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # As if openinference-instrumentation-openai-agents were not installed.
    monkeypatch.setitem(sys.modules, "openinference.instrumentation.openai_agents._processor", None)
    monkeypatch.delitem(sys.modules, "agents_temporal._tracing.otel", raising=False)
    with pytest.raises(ImportError, match=r'pip install "agents-temporal\[otel\]"'):
        OpenAIAgentsPlugin(use_otel_instrumentation=True)


REFUSALS = """
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.opentelemetry import configure_otlp_export


def refusal(make):
    try:
        make()
    except ValueError as error:
        return str(error)
    return "accepted"


print(refusal(lambda: OpenAIAgentsPlugin(use_otel_instrumentation=True)))
trace.set_tracer_provider(TracerProvider())
print(refusal(lambda: OpenAIAgentsPlugin(use_otel_instrumentation=True)))
print(refusal(lambda: configure_otlp_export("agent-worker", "http://127.0.0.1:9")))
"""


@pytest.mark.slow
def test_a_provider_that_is_not_replay_safe_is_refused() -> None:
    """In a process of its own: the global provider can be set only once per process."""
    result = subprocess.run(
        [sys.executable, "-c", REFUSALS], cwd=ROOT, capture_output=True, text=True, timeout=90
    )
    assert result.returncode == 0, result.stderr
    no_provider, plain_provider, otlp_on_plain = result.stdout.splitlines()
    for refusal in (no_provider, plain_provider):
        assert "ReplaySafeTracerProvider" in refusal
        assert "create_tracer_provider(exporters=[...])" in refusal
    assert "'ProxyTracerProvider'" in no_provider
    assert "'TracerProvider'" in plain_provider
    assert "not replay safe" in otlp_on_plain
