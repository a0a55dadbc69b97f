"""One agent turn is one trace with the expected tree, the same however often it replays."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer, Worker

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.testing import TestModelProvider
from tests.replaying import save_history
from tests.tracing.support import (
    PARAMS,
    OtelSpans,
    Probe,
    agents_tracing,
    parent_id,
    span_id,
    span_tree,
    trace_id,
    triage_model,
)
from tests.tracing.workflows import TracedTriage, lookup_order

# Workflow -> agent -> model call -> tool, as the SDK draws an agent run (a task span under the
# trace, a turn span per model call) plus the spans of the activities the workflow ran.
EXPECTED_TREE = [
    "Agent workflow",
    "  Agent workflow",
    "    Triage",
    "      turn",
    "        temporal:activity:invoke_model_activity",
    "        handoff to Orders",
    "    Orders",
    "      turn",
    "        temporal:activity:invoke_model_activity",
    "        lookup_order",
    "          temporal:activity:lookup_order",
    "            store lookup",
    "      turn",
    "        temporal:activity:invoke_model_activity",
]
# Made by the activity, not the workflow: a replay does not make them again.
ACTIVITY_SIDE = {"store lookup"}


def traced_plugin() -> OpenAIAgentsPlugin:
    return OpenAIAgentsPlugin(
        model_params=PARAMS,
        model_provider=TestModelProvider(triage_model()),
        use_otel_instrumentation=True,
    )


def with_plugin(client: Client, plugin: OpenAIAgentsPlugin) -> Client:
    config = client.config()
    config["plugins"] = [plugin]
    return Client(**config)


async def run_turn(
    client: Client, task_queue: str, max_cached_workflows: int, history: str = ""
) -> WorkflowHistory:
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[TracedTriage],
        activities=[lookup_order],
        max_cached_workflows=max_cached_workflows,
    ):
        handle = await client.start_workflow(
            TracedTriage.run,
            "Where is my order?",
            id=f"traced-triage-{uuid.uuid4()}",  # noqa: TID251 - test ids, not workflow code
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=30),
        )
        assert "shipped" in await handle.result()
        if history:
            await save_history(handle, history)
        return await handle.fetch_history()


@pytest.mark.parametrize(
    "max_cached_workflows",
    [pytest.param(0, id="replayed-every-task"), pytest.param(100, id="cached")],
)
async def test_one_turn_is_one_trace_with_the_expected_tree(
    temporal_client: Client, task_queue: str, otel: OtelSpans, max_cached_workflows: int
) -> None:
    client = with_plugin(temporal_client, traced_plugin())
    with agents_tracing():
        history = "tracing_triage" if max_cached_workflows else ""
        await run_turn(client, task_queue, max_cached_workflows, history)

    spans = otel.finished()
    assert span_tree(spans) == EXPECTED_TREE
    assert len({trace_id(s) for s in spans}) == 1
    # Evicted after every task, the workflow replays its spans each time: still each exported
    # once, and the parents of spans exported early are the ids spans ended later carry.
    assert len({span_id(s) for s in spans}) == len(spans)
    ids = {span_id(s) for s in spans}
    assert [s.name for s in spans if s.parent is not None and parent_id(s) not in ids] == []


async def test_a_replay_makes_the_same_ids_and_exports_nothing(
    temporal_client: Client, task_queue: str, otel: OtelSpans
) -> None:
    plugin = traced_plugin()
    probe = Probe()
    with agents_tracing(probe):
        with otel.relay.recording_starts() as live_otel:
            history = await run_turn(with_plugin(temporal_client, plugin), task_queue, 100)
        exported = len(otel.finished())
        live_agents = list(probe.starts)
        probe.starts.clear()

        with otel.relay.recording_starts() as replayed_otel:
            replay = await Replayer(workflows=[TracedTriage], plugins=[plugin]).replay_workflow(
                history
            )
    assert replay.replay_failure is None
    assert len(otel.finished()) == exported  # the replay exported nothing
    workflow_side = [start for start in live_agents if start[0] not in ACTIVITY_SIDE]
    assert (
        workflow_side and probe.starts == workflow_side
    )  # the same Agents SDK span, parent and trace ids
    assert replayed_otel and replayed_otel == [s for s in live_otel if s[0] not in ACTIVITY_SIDE]
