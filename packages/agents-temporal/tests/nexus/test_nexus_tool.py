"""nexus_operation_as_tool against a real Nexus endpoint on the local dev server."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from agents import ModelResponse
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from agents_temporal import ModelActivityParameters, OpenAIAgentsPlugin
from agents_temporal.testing import ModelRequest, ResponseBuilders, TestModel, TestModelProvider
from tests.nexus.workflows import NexusWeatherWorkflow, WeatherHandler, WeatherQuestion
from tests.replaying import replay, save_history


def forecaster() -> TestModel:
    def respond(request: ModelRequest) -> ModelResponse:
        outputs = request.tool_outputs()
        if not outputs:
            (tool,) = request.tools
            assert tool.name == "get_weather"
            schema = getattr(tool, "params_json_schema", {})
            assert list(schema["properties"]) == ["input"]
            return ResponseBuilders.tool_call(json.dumps({"input": {"city": "Tokyo"}}), tool.name)
        return ResponseBuilders.output_message(f"The weather: {outputs[0]}")

    return TestModel(respond)


async def test_agent_calls_a_nexus_operation_through_an_endpoint(
    temporal_env: WorkflowEnvironment, temporal_client: Client, task_queue: str
) -> None:
    plugin = OpenAIAgentsPlugin(
        model_params=ModelActivityParameters(start_to_close_timeout=timedelta(seconds=30)),
        model_provider=TestModelProvider(forecaster()),
    )
    config = temporal_client.config()
    config["plugins"] = [plugin]
    client = Client(**config)
    endpoint_name = f"weather-{task_queue}"
    endpoint = await temporal_env.create_nexus_endpoint(endpoint_name, task_queue)
    try:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[NexusWeatherWorkflow],
            nexus_service_handlers=[WeatherHandler()],
        ):
            handle = await client.start_workflow(
                NexusWeatherWorkflow.run,
                WeatherQuestion(endpoint=endpoint_name, question="Weather in Tokyo?"),
                id=f"nexus-{uuid.uuid4()}",  # noqa: TID251 - test ids, not workflow code
                task_queue=task_queue,
                execution_timeout=timedelta(seconds=60),
            )
            assert await handle.result() == "The weather: Sunny in Tokyo"
    finally:
        await temporal_env.delete_nexus_endpoint(endpoint)
    history = await handle.fetch_history()
    completed = [
        event
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_NEXUS_OPERATION_COMPLETED
    ]
    assert len(completed) == 1
    await save_history(handle, "nexus_tool")


async def test_nexus_tool_history_replays() -> None:
    await replay("nexus_tool", [NexusWeatherWorkflow])
