"""Activity side: the model activity, which makes each real model call on a worker."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncGenerator, Collection, Generator
from contextvars import ContextVar
from typing import Any, cast

from agents import Model, ModelProvider, ModelResponse, ModelSettings, ModelTracing
from pydantic import TypeAdapter
from temporalio import activity

from .._errors import TooManyToolCallsError
from .._model_call import (
    LEGACY_MODEL_ACTIVITY_NAME,
    MODEL_ACTIVITY_NAME,
    STREAM_MODEL_ACTIVITY_NAME,
    TOPIC_STREAM_MODEL_ACTIVITY_NAME,
    ModelCallInput,
    ModelCallResponse,
    StreamTarget,
    ToolSpec,
    TopicStreamResponse,
    TopicTarget,
    is_tool_call,
)
from .._payloads.activity_segments import open_model_input
from .._streaming.activity import DeltaPublisher, collect_response
from .._streaming.topic import stream_to_topic
from .._temporal_worker_env_ref import AllowAllWorkerEnvVars, WorkerEnvRefResolver
from .provider_errors import classify
from .providers import DefaultModelProvider
from .published_input import read_call_input
from .specs import SpecOutputSchema, rebuild_tool

_SETTINGS = TypeAdapter(ModelSettings)

_CALLING_AGENT: ContextVar[str | None] = ContextVar("agents_temporal.calling_agent", default=None)


def calling_agent() -> str | None:
    """The name of the agent whose model call this activity makes; None outside one.

    The Agents SDK's `Model` interface does not say which agent calls it; a model that plays
    several agents (an app's offline model) reads it here.
    """
    return _CALLING_AGENT.get()


@contextlib.contextmanager
def _calling(agent_name: str) -> Generator[None]:
    token = _CALLING_AGENT.set(agent_name)
    try:
        yield
    finally:
        _CALLING_AGENT.reset(token)


def _with_secrets(spec: ToolSpec, secrets: WorkerEnvRefResolver | None) -> ToolSpec:
    """``spec`` with the worker secrets its credentials name put in (activity side only)."""
    config = spec.fields.get("tool_config")
    if secrets is None or not isinstance(config, dict):
        return spec
    config = cast(dict[str, Any], config)
    if spec.kind == "HostedMCPTool":
        config = secrets.mcp_config(config)
    elif spec.kind == "CodeInterpreterTool":
        config = secrets.code_interpreter_config(config)
    else:
        return spec
    return dataclasses.replace(spec, fields={**spec.fields, "tool_config": config})


def model_arguments(
    call: ModelCallInput, secrets: WorkerEnvRefResolver | None = None
) -> dict[str, Any]:
    """The keyword arguments of ``Model.get_response`` / ``stream_response`` for ``call``.

    ``secrets`` resolves the worker secrets hosted tools name; the resolved tools exist only
    here, for the provider's request, and never return to the workflow.
    """
    return {
        "system_instructions": call.system_instructions,
        "input": call.input,
        "model_settings": _SETTINGS.validate_python(call.model_settings),
        "tools": [rebuild_tool(_with_secrets(spec, secrets)) for spec in call.tools],
        "output_schema": SpecOutputSchema(call.output_schema) if call.output_schema else None,
        "handoffs": [rebuild_tool(spec) for spec in call.handoffs],
        "tracing": ModelTracing(call.tracing),
        "previous_response_id": call.previous_response_id,
        "conversation_id": call.conversation_id,
        "prompt": call.prompt,
    }


def check_tool_calls(response: ModelResponse, call: ModelCallInput) -> None:
    """Refuse a response with more tool calls than ``call`` allows.

    Raises:
        TooManyToolCallsError: Non-retryable.
    """
    limit = call.max_tool_calls
    if limit is not None and sum(map(is_tool_call, response.output)) > limit:
        raise TooManyToolCallsError(call.agent_name, limit)


@contextlib.asynccontextmanager
async def heartbeating() -> AsyncGenerator[None]:
    """Heartbeat while the body runs, when the activity has a heartbeat timeout."""
    timeout = activity.info().heartbeat_timeout
    if not timeout:
        yield
        return
    interval = max(timeout.total_seconds() / 3, 0.05)

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(interval)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def served(response: ModelCallResponse, model: Model) -> ModelCallResponse:
    """``response`` with what answered it: the model's class and the model name it used.

    A model name is resolved on the worker (OpenAI, LiteLLM, an offline model), so what ran
    can differ from what the agent names, or from what a console's own settings suggest.
    """
    kind = type(model)
    response.served_by = f"{kind.__module__}.{kind.__qualname__}"
    name: object = getattr(model, "model", None)
    response.served_model = name if isinstance(name, str) else None
    return response


class ModelActivity:
    """Holds the worker's model provider and serves the model activity."""

    def __init__(
        self,
        model_provider: ModelProvider | None = None,
        resolvable_worker_env_vars: Collection[str] | AllowAllWorkerEnvVars = (),
    ) -> None:
        self._provider = model_provider or DefaultModelProvider()
        self._owns_provider = model_provider is None
        self._env_refs = WorkerEnvRefResolver(resolvable_worker_env_vars)

    async def aclose(self) -> None:
        """Release the HTTP clients of the provider this activity made for itself."""
        if self._owns_provider:
            await self._provider.aclose()

    @activity.defn(name=MODEL_ACTIVITY_NAME)
    async def invoke_model(self, call: dict[str, Any]) -> ModelCallResponse:
        """Call the model named in ``call`` and return its full response.

        ``call`` is a ``ModelCallInput`` or, for a call a workflow scheduled on a worker running
        the published integration before ours took over, that integration's input.
        """
        return await self._invoke(read_call_input(call))

    @activity.defn(name=LEGACY_MODEL_ACTIVITY_NAME)
    async def invoke_model_legacy(self, call: ModelCallInput) -> ModelCallResponse:
        """The model activity under the name workflows started before it changed still use."""
        return await self._invoke(call)

    async def _invoke(self, call: ModelCallInput) -> ModelCallResponse:
        model_input = await open_model_input(call.input, call.input_ref)
        call = dataclasses.replace(call, input=model_input.items)
        try:
            with _calling(call.agent_name):
                model = self._provider.get_model(call.model_name)
                async with heartbeating():
                    response = await model.get_response(**model_arguments(call, self._env_refs))
            check_tool_calls(response, call)
        except (asyncio.CancelledError, TooManyToolCallsError):
            raise
        except Exception as error:
            raise classify(error, call.model_name) from error
        return served(await model_input.confirm(response), model)

    @activity.defn(name=STREAM_MODEL_ACTIVITY_NAME)
    async def stream_model(self, call: ModelCallInput, stream: StreamTarget) -> ModelCallResponse:
        """Call the model with streaming, sending its text deltas to the calling workflow."""
        model_input = await open_model_input(call.input, call.input_ref)
        call = dataclasses.replace(call, input=model_input.items)
        try:
            with _calling(call.agent_name):
                model = self._provider.get_model(call.model_name)
                async with (
                    heartbeating(),
                    DeltaPublisher.for_current_activity(stream) as publisher,
                ):
                    events = model.stream_response(**model_arguments(call, self._env_refs))
                    response = await collect_response(
                        events, publisher, call.max_tool_calls, call.agent_name
                    )
            check_tool_calls(response, call)
        except (asyncio.CancelledError, TooManyToolCallsError):
            raise
        except Exception as error:
            raise classify(error, call.model_name) from error
        return served(await model_input.confirm(response), model)

    @activity.defn(name=TOPIC_STREAM_MODEL_ACTIVITY_NAME)
    async def stream_model_to_topic(
        self, call: ModelCallInput, target: TopicTarget
    ) -> TopicStreamResponse:
        """Call the model with streaming, publishing its raw events to the workflow's topic."""
        model_input = await open_model_input(call.input, call.input_ref)
        call = dataclasses.replace(call, input=model_input.items)
        try:
            with _calling(call.agent_name):
                model = self._provider.get_model(call.model_name)
                async with heartbeating():
                    events = model.stream_response(**model_arguments(call))
                    response, seen = await stream_to_topic(
                        events, target, call.max_tool_calls, call.agent_name
                    )
            check_tool_calls(response, call)
        except (asyncio.CancelledError, TooManyToolCallsError):
            raise
        except Exception as error:
            raise classify(error, call.model_name) from error
        events = [event.model_dump(mode="json", warnings=False) for event in seen]
        return TopicStreamResponse(served(await model_input.confirm(response), model), events)
