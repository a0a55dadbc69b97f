"""The specification's three OpenTelemetry patterns, run as documented (import path changed)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from agents import custom_span, trace
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.testing import AgentEnvironment, TestModelProvider
from tests.tracing.support import (
    PARAMS,
    OtelSpans,
    agents_tracing,
    ancestors,
    by_name,
    span_id,
    span_tree,
    trace_id,
    triage_model,
)
from tests.tracing.workflows import (
    TracedParent,
    TracedTriage,
    TracedWorkflow,
    fetch_numbers,
    lookup_order,
)

TIMEOUT = timedelta(seconds=30)


def with_plugin(client: Client, plugin: OpenAIAgentsPlugin) -> Client:
    config = client.config()
    config["plugins"] = [plugin]
    return Client(**config)


def workflow_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4()}"  # noqa: TID251 - test ids, not workflow code


def assert_one_trace(spans: OtelSpans) -> None:
    finished = spans.finished()
    assert finished
    assert len({trace_id(s) for s in finished}) == 1
    assert len({span_id(s) for s in finished}) == len(finished)


async def run_traced_workflow(
    temporal_client: Client, task_queue: str, plugin: OpenAIAgentsPlugin, prefix: str
) -> str:
    """Run `TracedWorkflow` (direct OpenTelemetry spans) inside a client trace; its result.

    The workflow's own spans need ``opentelemetry`` passed through the sandbox; with no
    workflow cache every task replays the run so far, which the spans must come through.
    """
    client = with_plugin(temporal_client, plugin)
    with agents_tracing():
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[TracedWorkflow],
            activities=[fetch_numbers],
            workflow_runner=SandboxedWorkflowRunner(
                SandboxRestrictions.default.with_passthrough_modules("opentelemetry")
            ),
            max_cached_workflows=0,
        ):
            with plugin.tracing_context(), trace("Customer support workflow"):
                return await client.execute_workflow(
                    TracedWorkflow.run,
                    id=workflow_id(prefix),
                    task_queue=task_queue,
                    execution_timeout=TIMEOUT,
                )


async def test_plugin_flag_in_an_agent_environment(
    temporal_client: Client, task_queue: str, otel: OtelSpans
) -> None:
    """Pattern 1 as the specification tests it: AgentEnvironment(use_otel_instrumentation=True)."""
    with agents_tracing():
        async with AgentEnvironment(
            model=triage_model(), model_params=PARAMS, use_otel_instrumentation=True
        ) as env:
            client = env.applied_on_client(temporal_client)
            async with Worker(
                client, task_queue=task_queue, workflows=[TracedTriage], activities=[lookup_order]
            ):
                await client.execute_workflow(
                    TracedTriage.run,
                    "Where is my order?",
                    id=workflow_id("env"),
                    task_queue=task_queue,
                    execution_timeout=TIMEOUT,
                )
    assert_one_trace(otel)
    assert ancestors(by_name(otel.finished(), "store lookup"), otel.finished())[-1] == (
        "Agent workflow"
    )


async def test_direct_spans_in_a_workflow_under_a_custom_span(
    temporal_client: Client, task_queue: str, otel: OtelSpans
) -> None:
    """Pattern 2: direct OpenTelemetry spans in a workflow, with opentelemetry passed through."""
    plugin = OpenAIAgentsPlugin(use_otel_instrumentation=True)
    result = await run_traced_workflow(temporal_client, task_queue, plugin, "direct")
    assert result == "total 6"
    spans = otel.finished()
    assert_one_trace(otel)
    main = [
        "Main workflow",
        "temporal:executeWorkflow",
        "temporal:startWorkflow:TracedWorkflow",
        "Customer support workflow",
    ]
    assert ancestors(by_name(spans, "Data processing"), spans) == main
    assert ancestors(by_name(spans, "Business logic"), spans) == main
    assert ancestors(by_name(spans, "temporal:startActivity"), spans) == main


async def test_without_temporal_spans_a_workflow_hangs_under_the_client_trace(
    temporal_client: Client, task_queue: str, otel: OtelSpans
) -> None:
    """Started in a trace but outside any span: the trace's own span is the parent.

    With ``add_temporal_spans=False`` no ``temporal:startWorkflow`` span is current when the
    client starts the workflow, and the bridge never makes a trace's span current.
    """
    plugin = OpenAIAgentsPlugin(add_temporal_spans=False, use_otel_instrumentation=True)
    await run_traced_workflow(temporal_client, task_queue, plugin, "no-temporal-spans")
    spans = otel.finished()
    assert_one_trace(otel)
    main = ["Main workflow", "Customer support workflow"]
    assert ancestors(by_name(spans, "Data processing"), spans) == main


async def test_a_client_trace_spans_the_workflow_and_its_activities(
    temporal_client: Client, task_queue: str, otel: OtelSpans
) -> None:
    """Pattern 3: a trace started by the client with plugin.tracing_context()."""
    plugin = OpenAIAgentsPlugin(
        model_params=PARAMS,
        model_provider=TestModelProvider(triage_model()),
        use_otel_instrumentation=True,
    )
    client = with_plugin(temporal_client, plugin)
    with agents_tracing():
        async with Worker(
            client, task_queue=task_queue, workflows=[TracedTriage], activities=[lookup_order]
        ):
            with plugin.tracing_context():
                with trace("Customer support workflow") as client_trace:
                    with custom_span("Workflow execution"):
                        result = await client.execute_workflow(
                            TracedTriage.run,
                            "Help me with my order",
                            id=workflow_id("client-trace"),
                            task_queue=task_queue,
                            execution_timeout=TIMEOUT,
                        )
    # The activity tool saw the client's Agents SDK trace...
    assert f"(trace {client_trace.trace_id})" in result
    # ... and every OpenTelemetry span hangs from the client's trace.
    assert_one_trace(otel)
    assert span_tree(otel.finished())[:6] == [
        "Customer support workflow",
        "  Workflow execution",
        "    temporal:startWorkflow:TracedTriage",
        "      temporal:executeWorkflow",
        "        Agent workflow",
        "          Triage",
    ]


async def test_a_child_workflow_joins_its_parents_trace(
    temporal_client: Client, task_queue: str, otel: OtelSpans
) -> None:
    plugin = OpenAIAgentsPlugin(use_otel_instrumentation=True)
    client = with_plugin(temporal_client, plugin)
    with agents_tracing():
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[TracedParent, TracedWorkflow],
            activities=[fetch_numbers],
        ):
            await client.execute_workflow(
                TracedParent.run,
                id=workflow_id("parent"),
                task_queue=task_queue,
                execution_timeout=TIMEOUT,
            )
    spans = otel.finished()
    assert_one_trace(otel)
    assert ancestors(by_name(spans, "Data processing"), spans) == [
        "Main workflow",
        "temporal:executeWorkflow",
        "temporal:startChildWorkflow",
        "Parent workflow",
    ]
