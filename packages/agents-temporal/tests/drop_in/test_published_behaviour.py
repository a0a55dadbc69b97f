"""What code written for the published integration (temporalio.openai_agents 1.1.0) relies on.

Its names take the same parameters in the same order, an activity tool that fails for good
fails the run, a provider's HTTP error reaches the workflow as theirs does, and summaries,
builders and payload converter behave alike.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx2
import openai
import pytest
from agents import Agent, ModelResponse, TResponseInputItem
from temporalio.client import Client, WorkflowFailureError
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.worker import Worker
from temporalio.workflow import ActivityCancellationType

import agents_temporal
from agents_temporal import (
    AgentsWorkflowError,
    ModelActivityParameters,
    OpenAIAgentsPlugin,
    OpenAIPayloadConverter,
)
from agents_temporal._model.activity_tool import (
    _as_model_text as as_model_text,  # pyright: ignore[reportPrivateUsage]
)
from agents_temporal.testing import (
    AgentEnvironment,
    ModelRequest,
    ResponseBuilders,
    TestModel,
    TestModelProvider,
)
from stack_testapp.spec_examples import HelloWorldAgent
from tests.conversations.support import Shop, shop_model
from tests.conversations.workflows import ACTIVITIES, ShopConversation
from tests.core.test_activity_summary import summaries
from tests.drop_in.workflows import WEATHER_TOOL, FailingToolAgent, get_weather_failure

# The published package's signatures (its 1.1.0 release), in order:
# POS = positional or keyword, KEY = keyword-only.
PUBLISHED_PLUGIN = [
    "POS:model_params",
    "POS:model_provider",
    "POS:mcp_server_providers",
    "POS:sandbox_clients",
    "POS:register_activities",
    "POS:add_temporal_spans",
    "POS:use_otel_instrumentation",
    "POS:resolvable_worker_env_vars",
    "KEY:mcp_servers",
    "KEY:mcp_connection_idle_timeout",
    "KEY:trace_content",
]
PUBLISHED_ENVIRONMENT = [
    "POS:model_params",
    "POS:model_provider",
    "POS:model",
    "POS:mcp_server_providers",
    "POS:register_activities",
    "POS:add_temporal_spans",
    "POS:use_otel_instrumentation",
    "POS:resolvable_worker_env_vars",
    "KEY:mcp_servers",
    "KEY:mcp_connection_idle_timeout",
]
PUBLISHED_MODEL_PARAMETERS = [
    "POS:task_queue",
    "POS:schedule_to_close_timeout",
    "POS:schedule_to_start_timeout",
    "POS:start_to_close_timeout",
    "POS:heartbeat_timeout",
    "POS:retry_policy",
    "POS:cancellation_type",
    "POS:versioning_intent",
    "POS:summary_override",
    "POS:priority",
    "POS:use_local_activity",
    "POS:streaming_topic",
    "POS:streaming_batch_interval",
]
OUR_MODEL_PARAMETERS = ["KEY:max_tool_calls_per_response"]
TRY_CANCEL = ActivityCancellationType.TRY_CANCEL


def _parameters(fn: Callable[..., Any]) -> list[str]:
    kinds = {
        inspect.Parameter.POSITIONAL_OR_KEYWORD: "POS",
        inspect.Parameter.KEYWORD_ONLY: "KEY",
    }
    return [
        f"{kinds.get(p.kind, p.kind.name)}:{p.name}"
        for p in inspect.signature(fn).parameters.values()
    ]


def test_the_constructors_take_the_published_parameters_in_their_order() -> None:
    assert _parameters(OpenAIAgentsPlugin) == PUBLISHED_PLUGIN
    assert _parameters(AgentEnvironment) == PUBLISHED_ENVIRONMENT
    assert _parameters(ModelActivityParameters) == [
        *PUBLISHED_MODEL_PARAMETERS,
        *OUR_MODEL_PARAMETERS,
    ]


def test_positional_arguments_mean_what_they_mean_in_the_published_integration() -> None:
    provider = TestModelProvider(TestModel.returning_responses([]))
    params = ModelActivityParameters(
        None, None, None, timedelta(seconds=5), None, None, TRY_CANCEL, None, "summary"
    )
    assert (params.start_to_close_timeout, params.summary_override) == (
        timedelta(seconds=5),
        "summary",
    )
    plugin = OpenAIAgentsPlugin(params, provider, (), (), True, False, False, ("TOKEN",))
    assert (plugin.model_provider, plugin.add_temporal_spans) == (provider, False)
    assert plugin.resolvable_worker_env_vars == frozenset({"TOKEN"})


def test_the_names_code_imports_are_there() -> None:
    assert agents_temporal.workflow.AgentsWorkflowError is AgentsWorkflowError
    assert issubclass(agents_temporal.workflow.ToolSerializationError, ApplicationError)
    assert OpenAIPayloadConverter is agents_temporal.AgentsPayloadConverter


def test_a_custom_provider_needs_a_model_call_timeout() -> None:
    provider = TestModelProvider(TestModel.returning_responses([]))
    no_timeout = ModelActivityParameters(start_to_close_timeout=None)
    with pytest.raises(ValueError, match="start_to_close_timeout or schedule_to_close_timeout"):
        OpenAIAgentsPlugin(no_timeout, provider)
    # The default provider gets the default minute, as in the published integration.
    default = OpenAIAgentsPlugin(no_timeout).model_params.start_to_close_timeout
    assert default == timedelta(seconds=60)


def test_tool_call_builder_ids_default_as_published() -> None:
    call = ResponseBuilders.tool_call("{}", "get_weather").output[0]
    assert (getattr(call, "call_id", None), getattr(call, "id", None)) == ("call", "id")
    named = ResponseBuilders.tool_call("{}", "get_weather", call_id="c1", item_id="i1").output[0]
    assert (getattr(named, "call_id", None), getattr(named, "id", None)) == ("c1", "i1")


async def _run_failing_tool(
    client: Client, task_queue: str, model: TestModel, hand_to_model: bool
) -> str:
    async with AgentEnvironment(model=model) as env:
        agent_client = env.applied_on_client(client)
        async with Worker(
            agent_client,
            task_queue=task_queue,
            workflows=[FailingToolAgent],
            activities=[get_weather_failure],
        ):
            return await agent_client.execute_workflow(
                FailingToolAgent.run,
                hand_to_model,
                id=f"failing-tool-{uuid.uuid4()}",  # noqa: TID251 - test ids
                task_queue=task_queue,
                execution_timeout=timedelta(seconds=30),
            )


async def test_an_activity_tool_that_fails_for_good_fails_the_run(
    temporal_client: Client, task_queue: str
) -> None:
    model = TestModel.returning_responses(
        [ResponseBuilders.tool_call('{"city":"Tokyo"}', WEATHER_TOOL)]
    )
    with pytest.raises(WorkflowFailureError) as failure:
        await _run_failing_tool(temporal_client, task_queue, model, hand_to_model=False)
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "AgentsWorkflowError"
    assert cause.message.startswith("Workflow failure exception in Agents Framework")
    # What failed and why, not only "Activity task failed".
    assert WEATHER_TOOL in cause.message and "No weather for Tokyo" in cause.message
    assert len(model.requests) == 1


async def test_failure_error_function_hands_the_failure_to_the_model(
    temporal_client: Client, task_queue: str
) -> None:
    def respond(request: ModelRequest) -> ModelResponse:
        if not request.tool_outputs():
            return ResponseBuilders.tool_call('{"city":"Tokyo"}', WEATHER_TOOL)
        return ResponseBuilders.output_message(f"Sorry: {request.tool_outputs()[-1]}")

    answer = await _run_failing_tool(
        temporal_client, task_queue, TestModel(respond), hand_to_model=True
    )
    assert answer == "Sorry: the weather tool failed: No weather for Tokyo"


def _failing_model(status: int, headers: dict[str, str]) -> TestModel:
    def fail() -> ModelResponse:
        response = httpx2.Response(
            status, request=httpx2.Request("POST", "http://model.test"), headers=headers
        )
        raise openai.APIStatusError("Something went wrong.", response=response, body=None)

    return TestModel(fail)


@pytest.mark.parametrize(
    ("status", "headers", "non_retryable_types", "attempts"),
    [
        (408, {}, [], 2),
        (409, {}, [], 2),
        (429, {}, [], 2),
        (500, {}, [], 2),
        (400, {}, [], 1),
        (403, {}, [], 1),
        (404, {}, [], 1),
        (429, {}, ["APIStatusError"], 1),
        (429, {"x-should-retry": "false"}, [], 1),
        (400, {"x-should-retry": "true"}, [], 2),
    ],
)
async def test_a_provider_http_error_fails_the_model_activity_as_published(
    temporal_client: Client,
    task_queue: str,
    status: int,
    headers: dict[str, str],
    non_retryable_types: list[str],
    attempts: int,
) -> None:
    retry = RetryPolicy(
        initial_interval=timedelta(milliseconds=10),
        maximum_attempts=2,
        non_retryable_error_types=non_retryable_types,
    )
    params = ModelActivityParameters(retry_policy=retry)
    async with AgentEnvironment(model=_failing_model(status, headers), model_params=params) as env:
        client = env.applied_on_client(temporal_client)
        async with Worker(client, task_queue=task_queue, workflows=[HelloWorldAgent]):
            handle = await client.start_workflow(
                HelloWorldAgent.run,
                "Input",
                id=f"status-{status}-{uuid.uuid4()}",  # noqa: TID251 - test ids
                task_queue=task_queue,
            )
            with pytest.raises(WorkflowFailureError) as failure:
                await handle.result()
    activity_failure = failure.value.cause
    assert isinstance(activity_failure, ActivityError)
    cause = activity_failure.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "APIStatusError"
    assert f"HTTP {status}" in cause.message and "Something went wrong." in cause.message
    started = [
        event.activity_task_started_event_attributes.attempt
        async for event in handle.fetch_history_events()
        if event.HasField("activity_task_started_event_attributes")
    ]
    assert started == [attempts]


class _Summarizer:
    """A summary provider of the published form: an object with ``provide``."""

    def provide(
        self,
        agent: Agent[Any] | None,
        instructions: str | None,
        input: str | list[TResponseInputItem],
    ) -> str:
        name = agent.name if agent is not None else "?"
        return f"{name} read {len(input)} item(s) after {instructions!r:.12}"


async def test_summary_override_takes_an_object_with_provide(
    temporal_client: Client, task_queue: str
) -> None:
    found = await summaries(
        temporal_client, task_queue, ModelActivityParameters(summary_override=_Summarizer())
    )
    assert [summary.split(" read ")[0] for summary in found] == ["Triage", "Shipping"]
    assert all(" item(s) after " in summary for summary in found)


def test_a_tool_result_that_cannot_be_text_is_a_tool_serialization_error() -> None:
    with pytest.raises(agents_temporal.workflow.ToolSerializationError, match="return a string"):
        as_model_text("lookup", object())


async def test_a_conversation_turn_that_meets_a_model_error_fails_with_its_message(
    temporal_client: Client, task_queue: str
) -> None:
    """The ActivityError a failed model call now raises fails the turn, not the conversation."""

    def model(request: ModelRequest) -> ModelResponse:
        if "key" in request.last_user_text():
            response = httpx2.Response(401, request=httpx2.Request("POST", "http://model.test"))
            raise openai.APIStatusError("Incorrect API key provided", response=response, body=None)
        return shop_model(request)

    params = ModelActivityParameters(start_to_close_timeout=timedelta(seconds=10))
    async with AgentEnvironment(model=TestModel(model), model_params=params) as env:
        client = env.applied_on_client(temporal_client)
        async with Worker(
            client, task_queue=task_queue, workflows=[ShopConversation], activities=ACTIVITIES
        ):
            conversation = await Shop(client, TestModel(model), task_queue).start()
            failed = await conversation.send("is my key right?")
            after = await conversation.send("hello")
    assert failed.status == "failed" and failed.error is not None
    assert "HTTP 401" in failed.error and "Incorrect API key provided" in failed.error
    assert "OPENAI_API_KEY" in failed.error  # what to do about it
    assert after.status == "completed"
