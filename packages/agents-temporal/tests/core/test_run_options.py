"""Handoff input filters, RunConfig overrides (model, settings) and max_turns act as in SDK code."""

from __future__ import annotations

import uuid
from datetime import timedelta

from agents import Model, ModelProvider, ModelResponse
from temporalio.client import Client
from temporalio.worker import Worker

from agents_temporal.testing import (
    AgentEnvironment,
    ModelRequest,
    ResponseBuilders,
    TestModel,
    TestModelProvider,
)
from tests.core.workflows import RunOptionsAgent


class RecordingProvider(ModelProvider):
    def __init__(self, model: Model) -> None:
        self.model = model
        self.names: list[str | None] = []

    def get_model(self, model_name: str | None) -> Model:
        self.names.append(model_name)
        return self.model


async def run_case(client: Client, task_queue: str, provider: ModelProvider, case: str) -> str:
    async with AgentEnvironment(model_provider=provider) as env:
        agent_client = env.applied_on_client(client)
        async with Worker(agent_client, task_queue=task_queue, workflows=[RunOptionsAgent]):
            return await agent_client.execute_workflow(
                RunOptionsAgent.run,
                case,
                id=f"options-{uuid.uuid4()}",  # noqa: TID251 - test code
                task_queue=task_queue,
                execution_timeout=timedelta(seconds=30),
            )


async def test_handoff_input_filter_runs_in_the_workflow(
    temporal_client: Client, task_queue: str
) -> None:
    def respond(request: ModelRequest) -> ModelResponse:
        if request.system_instructions == "Answer.":
            kinds = [i.get("type") or i.get("role") for i in request._items()]  # pyright: ignore[reportPrivateUsage]
            return ResponseBuilders.output_message(f"seen: {kinds}")
        if not request.tool_outputs():
            return ResponseBuilders.tool_call('{"step": 1}', "record_step")
        return ResponseBuilders.tool_call("{}", "transfer_to_specialist")

    provider = RecordingProvider(TestModel(respond))
    result = await run_case(temporal_client, task_queue, provider, "filter")
    # remove_all_tools dropped the tool call, its output and the handoff call.
    assert result == "seen: ['user']"


async def test_run_config_model_override_reaches_the_provider(
    temporal_client: Client, task_queue: str
) -> None:
    provider = RecordingProvider(TestModel(lambda: ResponseBuilders.output_message("hello")))
    assert await run_case(temporal_client, task_queue, provider, "model_override") == "hello"
    assert provider.names == ["override-model"]


async def test_max_turns_is_enforced(temporal_client: Client, task_queue: str) -> None:
    provider = RecordingProvider(
        TestModel(lambda: ResponseBuilders.tool_call('{"step": 1}', "record_step"))
    )
    result = await run_case(temporal_client, task_queue, provider, "max_turns")
    assert result.startswith("stopped: Max turns (2) exceeded")
    assert len(provider.names) == 2


async def test_run_config_model_settings_reach_the_model(
    temporal_client: Client, task_queue: str
) -> None:
    model = TestModel(lambda: ResponseBuilders.output_message("hello"))
    assert await run_case(temporal_client, task_queue, TestModelProvider(model), "model_settings")
    (request,) = model.requests
    settings = request.model_settings
    assert settings.temperature == 0.3
    assert settings.reasoning is not None and settings.reasoning.effort == "low"
    assert settings.metadata == {"desk": "7"}
