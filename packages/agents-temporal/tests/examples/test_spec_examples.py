"""The standard examples, run on a real Temporal server through the plugin and AgentEnvironment."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from agents import Model, ModelResponse
from temporalio.client import Client
from temporalio.worker import Worker

from agents_temporal import ModelActivityParameters, OpenAIAgentsPlugin
from agents_temporal.testing import (
    AgentEnvironment,
    ModelRequest,
    ResponseBuilders,
    TestModel,
    TestModelProvider,
)
from stack_testapp.spec_examples import HelloWorldAgent, WeatherAgent, get_weather
from tests.examples.spec_workflows import (
    CityFacts,
    GuardedAgent,
    MathAssistantAgent,
    StructuredOutputAgent,
    TriageAgent,
    TriageResult,
)
from tests.replaying import save_history

WORKFLOWS = [
    HelloWorldAgent,
    WeatherAgent,
    MathAssistantAgent,
    TriageAgent,
    GuardedAgent,
    StructuredOutputAgent,
]
PARAMS = ModelActivityParameters(start_to_close_timeout=timedelta(seconds=10))

Setup = Callable[[Client, Model, str], Any]


@asynccontextmanager
async def through_plugin(client: Client, model: Model, task_queue: str) -> AsyncGenerator[Client]:
    plugin = OpenAIAgentsPlugin(model_params=PARAMS, model_provider=TestModelProvider(model))
    config = client.config()
    config["plugins"] = [plugin]
    agent_client = Client(**config)
    async with Worker(
        agent_client, task_queue=task_queue, workflows=WORKFLOWS, activities=[get_weather]
    ):
        yield agent_client


@asynccontextmanager
async def through_environment(
    client: Client, model: Model, task_queue: str
) -> AsyncGenerator[Client]:
    async with AgentEnvironment(model=model, model_params=PARAMS) as env:
        agent_client = env.applied_on_client(client)
        async with Worker(
            agent_client, task_queue=task_queue, workflows=WORKFLOWS, activities=[get_weather]
        ):
            yield agent_client


SETUPS = [pytest.param(through_plugin, id="plugin"), pytest.param(through_environment, id="env")]


async def run(
    client: Client, workflow: Any, arg: Any, task_queue: str, history: str = "", **kw: Any
) -> Any:
    handle = await client.start_workflow(
        workflow,
        arg,
        id=f"wf-{uuid.uuid4()}",  # noqa: TID251 - test code, not a workflow
        task_queue=task_queue,
        execution_timeout=timedelta(seconds=30),
        **kw,
    )
    result = await handle.result()
    if history:
        await save_history(handle, f"spec_{history}")
    return result


@pytest.mark.parametrize("setup", SETUPS)
async def test_hello_world(setup: Any, temporal_client: Client, task_queue: str) -> None:
    model = TestModel.returning_responses([ResponseBuilders.output_message("Calls within calls")])
    async with setup(temporal_client, model, task_queue) as client:
        result = await run(client, HelloWorldAgent.run, "Recursion?", task_queue, "hello_world")
    assert result == "Calls within calls"
    assert model.requests[0].system_instructions == "You only respond in haikus."


@pytest.mark.parametrize("setup", SETUPS)
async def test_activity_tool(setup: Any, temporal_client: Client, task_queue: str) -> None:
    def respond(request: ModelRequest) -> ModelResponse:
        if len(model.requests) == 1:
            assert [t.name for t in request.tools] == ["get_weather"]
            return ResponseBuilders.tool_call(json.dumps({"city": "Oslo"}), "get_weather")
        # The second call sees the activity's result as the tool output.
        return ResponseBuilders.output_message(f"Weather: {request.tool_outputs()[0]}")

    model = TestModel(respond)
    async with setup(temporal_client, model, task_queue) as client:
        result = await run(
            client, WeatherAgent.run, "Weather in Oslo?", task_queue, "activity_tool"
        )
    assert json.loads(result.removeprefix("Weather: ")) == {
        "city": "Oslo",
        "temperature_range": "14-20C",
        "conditions": "Sunny with wind.",
    }


@pytest.mark.parametrize("setup", SETUPS)
async def test_sync_function_tool(setup: Any, temporal_client: Client, task_queue: str) -> None:
    def respond(request: ModelRequest) -> ModelResponse:
        if len(model.requests) == 1:
            return ResponseBuilders.tool_call('{"radius": 2}', "calculate_circle_area")
        return ResponseBuilders.output_message(f"Area {float(request.tool_outputs()[0]):.2f}")

    model = TestModel(respond)
    async with setup(temporal_client, model, task_queue) as client:
        result = await run(client, MathAssistantAgent.run, "Area of r=2?", task_queue, "sync_tool")
    assert result == "Area 12.57"


@pytest.mark.parametrize("setup", SETUPS)
@pytest.mark.parametrize("specialist", ["Billing", "Shipping"])
async def test_triage_handoff(
    setup: Any, specialist: str, temporal_client: Client, task_queue: str
) -> None:
    def respond(request: ModelRequest) -> ModelResponse:
        if len(model.requests) == 1:
            assert {h.agent_name for h in request.handoffs} == {"Billing", "Shipping"}
            return ResponseBuilders.tool_call("{}", f"transfer_to_{specialist.lower()}")
        return ResponseBuilders.output_message(f"{request.system_instructions} done")

    model = TestModel(respond)
    async with setup(temporal_client, model, task_queue) as client:
        result = await run(
            client,
            TriageAgent.run,
            "Help",
            task_queue,
            f"triage_{specialist.lower()}",
            result_type=TriageResult,
        )
    assert result.answered_by == specialist
    assert result.answer.startswith(f"Answer {specialist.lower()} questions.")


@pytest.mark.parametrize("setup", SETUPS)
@pytest.mark.parametrize("homework", [True, False])
async def test_agent_input_guardrail(
    setup: Any, homework: bool, temporal_client: Client, task_queue: str
) -> None:
    def respond(request: ModelRequest) -> ModelResponse:
        if request.system_instructions == "Is this homework?":
            verdict = {"is_homework": homework, "reasoning": "looks like an assignment"}
            return ResponseBuilders.output_message(json.dumps(verdict))
        return ResponseBuilders.output_message("Here is a hint.")

    model = TestModel(respond)
    async with setup(temporal_client, model, task_queue) as client:
        result = await run(
            client, GuardedAgent.run, "Solve 2x=4", task_queue, f"guardrail_{homework}"
        )
    assert result == ("refused: looks like an assignment" if homework else "Here is a hint.")


@pytest.mark.parametrize("setup", SETUPS)
async def test_structured_output(setup: Any, temporal_client: Client, task_queue: str) -> None:
    def respond(request: ModelRequest) -> ModelResponse:
        assert request.output_schema is not None
        assert request.output_schema.json_schema()["required"] == ["city", "population_millions"]
        return ResponseBuilders.output_message('{"city": "Lima", "population_millions": 10.1}')

    model = TestModel(respond)
    async with setup(temporal_client, model, task_queue) as client:
        result = await run(
            client,
            StructuredOutputAgent.run,
            "Lima",
            task_queue,
            "structured",
            result_type=CityFacts,
        )
    assert result == CityFacts(city="Lima", population_millions=10.1)
