"""A committed history of a traced turn replays, traced or not, and exports nothing."""

from __future__ import annotations

import json
import re

import pytest

from agents_temporal import OpenAIAgentsPlugin
from tests.replaying import HISTORIES, load_history, replay
from tests.tracing.support import OtelSpans, Probe, agents_tracing
from tests.tracing.workflows import TracedTriage

HISTORY = HISTORIES / "tracing_triage.json"


def recorded_trace_id() -> str:
    """The Agents SDK trace id the recorded run saw (its activity tool put it in the reply)."""
    for event in load_history(HISTORY).events:
        if event.HasField("workflow_execution_completed_event_attributes"):
            payload = event.workflow_execution_completed_event_attributes.result.payloads[0]
            reply = json.loads(payload.data)
            match = re.search(r"\(trace (trace_[0-9a-f]{32})\)", reply)
            assert match, reply
            return match.group(1)
    raise AssertionError("the history has no result")


@pytest.mark.parametrize("use_otel_instrumentation", [True, False])
async def test_a_traced_turn_replays_without_exporting(
    otel: OtelSpans, use_otel_instrumentation: bool
) -> None:
    probe = Probe()
    with agents_tracing(probe):
        await replay(
            HISTORY,
            [TracedTriage],
            plugin=OpenAIAgentsPlugin(use_otel_instrumentation=use_otel_instrumentation),
        )
    assert otel.finished() == []
    # The replay did trace (the probe hears replays), with the ids the recording made.
    assert {name for name, *_ in probe.starts} >= {"Triage", "Orders", "lookup_order"}
    assert {trace for *_, trace in probe.starts} == {recorded_trace_id()}


async def test_a_traced_turn_replays_with_tracing_off() -> None:
    """Tracing draws no randomness from the workflow: turning it off keeps replays exact."""
    await replay(HISTORY, [TracedTriage])
