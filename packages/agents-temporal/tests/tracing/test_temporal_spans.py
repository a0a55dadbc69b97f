"""Temporal's own spans and the Agents SDK spans form one trace per conversation turn."""

from __future__ import annotations

import uuid
from datetime import timedelta

from temporalio.client import Client
from temporalio.contrib.opentelemetry import OpenTelemetryPlugin
from temporalio.worker import Worker

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.testing import TestModelProvider
from tests.tracing.support import (
    PARAMS,
    OtelSpans,
    agents_tracing,
    ancestors,
    span_tree,
    trace_id,
    triage_model,
)
from tests.tracing.workflows import TracedConversation, lookup_order

TEMPORAL_SPANS = {
    "StartWorkflowUpdate:send",
    "HandleUpdate:send",
    "StartActivity:invoke_model_activity",
    "RunActivity:invoke_model_activity",
    "StartActivity:lookup_order",
    "RunActivity:lookup_order",
}
AGENT_SPANS = {
    "Triage",
    "Orders",
    "handoff to Orders",
    "lookup_order",
    "temporal:startActivity",
    "temporal:executeActivity",
    "store lookup",
}


async def test_each_turn_is_one_trace_with_temporals_spans(
    temporal_client: Client, task_queue: str, otel: OtelSpans
) -> None:
    config = temporal_client.config()
    config["plugins"] = [
        OpenAIAgentsPlugin(
            model_params=PARAMS,
            model_provider=TestModelProvider(triage_model()),
            use_otel_instrumentation=True,
        ),
        OpenTelemetryPlugin(add_temporal_spans=True),
    ]
    client = Client(**config)
    with agents_tracing():
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[TracedConversation],
            activities=[lookup_order],
            max_cached_workflows=0,
        ):
            handle = await client.start_workflow(
                TracedConversation.run,
                id=f"conversation-{uuid.uuid4()}",  # noqa: TID251 - test ids
                task_queue=task_queue,
                execution_timeout=timedelta(seconds=60),
            )
            traces: list[int] = []
            for turn in range(2):
                before = {trace_id(s) for s in otel.finished()}
                reply = await handle.execute_update(TracedConversation.send, f"Order {turn}?")
                assert "shipped" in reply
                turn_spans = [s for s in otel.finished() if trace_id(s) not in before]
                # One new trace: the client's update, Temporal's spans, the agents' spans.
                assert len({trace_id(s) for s in turn_spans}) == 1
                traces.append(trace_id(turn_spans[0]))
                names = {s.name for s in turn_spans}
                assert TEMPORAL_SPANS <= names
                assert AGENT_SPANS <= names
                assert span_tree(turn_spans)[:3] == [
                    "StartWorkflowUpdate:send",
                    "  HandleUpdate:send",
                    "    Agent workflow",
                ]
                run_activity = [s for s in turn_spans if s.name == "RunActivity:lookup_order"]
                assert "StartActivity:lookup_order" in ancestors(run_activity[0], turn_spans)
            assert traces[0] != traces[1]
            await handle.signal(TracedConversation.close)
            assert await handle.result() == 2
