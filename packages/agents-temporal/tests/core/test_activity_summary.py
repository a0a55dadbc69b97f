"""Each model activity is labelled in the Web UI with the agent that made the call."""

from __future__ import annotations

import uuid
from datetime import timedelta

from agents import ModelResponse
from temporalio.client import Client
from temporalio.worker import Worker

from agents_temporal import ModelActivityParameters
from agents_temporal.testing import AgentEnvironment, ModelRequest, ResponseBuilders, TestModel
from tests.examples.spec_workflows import TriageAgent


def respond(request: ModelRequest) -> ModelResponse:
    if request.handoffs:
        return ResponseBuilders.tool_call("{}", "transfer_to_shipping")
    return ResponseBuilders.output_message("on its way")


async def summaries(client: Client, task_queue: str, params: ModelActivityParameters) -> list[str]:
    async with AgentEnvironment(model=TestModel(respond), model_params=params) as env:
        agent_client = env.applied_on_client(client)
        async with Worker(agent_client, task_queue=task_queue, workflows=[TriageAgent]):
            handle = await agent_client.start_workflow(
                TriageAgent.run,
                "Where is my parcel?",
                id=f"summary-{uuid.uuid4()}",  # noqa: TID251 - test code
                task_queue=task_queue,
                execution_timeout=timedelta(seconds=30),
            )
            await handle.result()
            history = await handle.fetch_history()
    converter = agent_client.data_converter.payload_converter
    return [
        converter.from_payload(event.user_metadata.summary, str)
        for event in history.events
        if event.HasField("activity_task_scheduled_event_attributes")
    ]


async def test_summary_is_the_agent_name(temporal_client: Client, task_queue: str) -> None:
    assert await summaries(temporal_client, task_queue, ModelActivityParameters()) == [
        "Triage: model call",
        "Shipping: model call",
    ]


async def test_summary_override(temporal_client: Client, task_queue: str) -> None:
    params = ModelActivityParameters(summary_override=lambda agent, model: f"LLM for {agent}")
    assert await summaries(temporal_client, task_queue, params) == [
        "LLM for Triage",
        "LLM for Shipping",
    ]
