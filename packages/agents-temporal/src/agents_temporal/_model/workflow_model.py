"""Workflow side: the model an agent gets in a workflow, each call the model activity."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import AsyncIterator
from typing import Any

from agents import (
    Agent,
    AgentOutputSchemaBase,
    Handoff,
    Model,
    ModelProvider,
    ModelResponse,
    ModelSettings,
    ModelTracing,
    RunContextWrapper,
    RunHooks,
    Tool,
    TResponseInputItem,
)
from agents.items import TResponseStreamEvent
from openai.types.responses import ResponseCompletedEvent
from openai.types.responses.response_prompt_param import ResponsePromptParam
from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python
from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError

from .._errors import TOO_MANY_TOOL_CALLS, AgentsWorkflowError
from .._hooks import ForwardingRunHooks
from .._model_call import (
    LEGACY_MODEL_ACTIVITY_NAME,
    MODEL_ACTIVITY_NAME,
    STREAM_MODEL_ACTIVITY_NAME,
    TOPIC_STREAM_MODEL_ACTIVITY_NAME,
    ModelCallInput,
    ModelCallResponse,
    StreamTarget,
    TopicStreamResponse,
    TopicTarget,
)
from .._params import ModelActivityParameters
from .._payloads.workflow_refs import prepare_input
from .._streaming.log import current_log
from .._streaming.workflow_model import model_call_stream, response_stream_events
from .specs import handoff_spec, output_schema_spec, tool_spec


class AgentTracker:
    """Remembers which agent is about to call the model, for activity summaries."""

    def __init__(self) -> None:
        self.agent: Agent[Any] | None = None

    @property
    def agent_name(self) -> str:
        """The agent's name ("agent" before the run names one)."""
        return "agent" if self.agent is None else self.agent.name


class TrackingHooks(ForwardingRunHooks):
    """Run hooks that note which agent is about to call the model, then forward every hook."""

    def __init__(self, inner: RunHooks[Any] | None, tracker: AgentTracker) -> None:
        super().__init__(inner)
        self._tracker = tracker

    async def on_llm_start(
        self,
        context: RunContextWrapper[Any],
        agent: Agent[Any],
        system_prompt: str | None,
        input_items: list[TResponseInputItem],
    ) -> None:
        self._tracker.agent = agent
        await super().on_llm_start(context, agent, system_prompt, input_items)


def _keep_call_ids_unique(sent: str | list[dict[str, Any]], response: ModelResponse) -> None:
    """Give a new tool call a fresh ``call_id`` when the conversation already has that id.

    The Agents SDK keeps one item per call id in a model's input (the latest), so a provider
    that numbers its calls per response (``call_0`` every time), or a process that restarted
    its numbering, would silently replace an earlier call and its output: the model no longer
    sees that the tool ran, and may run it again. Renaming depends only on the items, so a
    replay renames the same way.
    """
    taken = {
        call_id
        for item in (sent if isinstance(sent, list) else [])
        if isinstance(call_id := item.get("call_id"), str)
    }
    for item in response.output:
        call_id = getattr(item, "call_id", None)
        if not isinstance(call_id, str):
            continue
        if call_id in taken:
            fresh = next(
                candidate
                for n in itertools.count(2)
                if (candidate := f"{call_id}-{n}") not in taken
            )
            # Info, not a warning: nothing is lost and nobody has anything to do (the published
            # integration's test builders give every call the id "call").
            workflow.logger.info(
                "The model returned tool call id %r, which the conversation already has; "
                "the new call is %r",
                call_id,
                fresh,
            )
            item.call_id = fresh  # pyright: ignore[reportAttributeAccessIssue]
            call_id = fresh
        taken.add(call_id)


def _input_items(value: str | list[TResponseInputItem]) -> str | list[dict[str, Any]]:
    if isinstance(value, str):
        return value
    return [to_jsonable_python(item) for item in value]


_STREAM_EVENT: TypeAdapter[TResponseStreamEvent] = TypeAdapter(TResponseStreamEvent)
_SETTINGS: TypeAdapter[ModelSettings] = TypeAdapter(ModelSettings)


def settings_json(settings: ModelSettings) -> dict[str, Any]:
    """``settings.to_json_dict()``, without building a pydantic ``TypeAdapter`` on every call.

    The Agents SDK's method makes a new adapter each time (most of its cost); ours is made once.
    A subclass that defines its own ``to_json_dict`` is asked for it.
    """
    if type(settings).to_json_dict is not ModelSettings.to_json_dict:
        return settings.to_json_dict()
    return _SETTINGS.dump_python(settings, mode="json")


class ActivityModel(Model):
    """A model whose every call is the model activity."""

    def __init__(
        self, model_name: str | None, params: ModelActivityParameters, tracker: AgentTracker
    ) -> None:
        self.model_name = model_name
        self._params = params
        self._tracker = tracker

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> ModelResponse:
        call = self._call_input(
            system_instructions,
            input,
            model_settings,
            tools,
            output_schema,
            handoffs,
            tracing,
            previous_response_id,
            conversation_id,
            prompt,
        )
        summary = self._summary(system_instructions, input)
        response: ModelResponse = await run_model_activity(self._params, call, summary=summary)
        _keep_call_ids_unique(call.input, response)
        return response

    def _summary(self, instructions: str | None, input: str | list[TResponseInputItem]) -> str:
        tracker = self._tracker
        return self._params.summary_for(
            tracker.agent, tracker.agent_name, self.model_name, instructions, input
        )

    def _call_input(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> ModelCallInput:
        return ModelCallInput(
            model_name=self.model_name,
            agent_name=self._tracker.agent_name,
            system_instructions=system_instructions,
            input=_input_items(input),
            model_settings=settings_json(model_settings),
            tools=[tool_spec(t) for t in tools],
            handoffs=[handoff_spec(h) for h in handoffs],
            output_schema=output_schema_spec(output_schema),
            tracing=tracing.value,
            previous_response_id=previous_response_id,
            conversation_id=conversation_id,
            prompt=to_jsonable_python(prompt) if prompt is not None else None,
            max_tool_calls=self._params.max_tool_calls_per_response,
        )

    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> AsyncIterator[TResponseStreamEvent]:
        call = self._call_input(
            system_instructions,
            input,
            model_settings,
            tools,
            output_schema,
            handoffs,
            tracing,
            previous_response_id,
            conversation_id,
            prompt,
        )
        if current_log() is None:
            # No log of ours: stream to the workflow's WorkflowStream topic, as the published
            # integration does, and hand the run the model's own events.
            summary = self._summary(system_instructions, input)
            for event in await self._stream_to_topic(call, summary):
                yield event
            return
        # Observers get the call's deltas through the workflow's stream log while the activity
        # runs; the run itself gets events made from the durable activity result.
        summary = self._summary(system_instructions, input)
        with model_call_stream(self._params, call) as stream:
            response = await run_model_activity(self._params, call, summary, stream.target)
            _keep_call_ids_unique(call.input, response)
            stream.complete(response)
        for event in response_stream_events(response, self.model_name):
            yield event

    async def _stream_to_topic(
        self, call: ModelCallInput, summary: str
    ) -> list[TResponseStreamEvent]:
        params = self._params
        if params.streaming_topic is None:
            raise AgentsWorkflowError(
                "Runner.run_streamed in a workflow streams to the workflow: set "
                "ModelActivityParameters(streaming_topic=...) and host a WorkflowStream "
                "(temporalio.contrib.workflow_streams) in the workflow, or create a "
                "StreamEventLog in it (ConversationWorkflow does), or use Runner.run",
                type="AgentsConfigurationError",
            )
        if params.use_local_activity:
            raise AgentsWorkflowError(
                "Runner.run_streamed with ModelActivityParameters(streaming_topic=...) cannot run "
                "model calls as local activities, which can send nothing to the workflow while "
                "they run: set use_local_activity=False, or use Runner.run",
                type="AgentsConfigurationError",
            )
        target = TopicTarget(params.streaming_topic, params.streaming_batch_interval)
        result: TopicStreamResponse = await run_model_activity(params, call, summary, target)
        response = result.response
        _keep_call_ids_unique(call.input, response)
        events: list[TResponseStreamEvent] = []
        for raw in result.events:
            try:
                event = _STREAM_EVENT.validate_python(raw)
            except ValidationError:
                # An event the provider sent short of a field the OpenAI types require: the
                # topic's observers had it as it was; the run can do without it, except the
                # completed event, rebuilt below from the durable response.
                if raw.get("type") == "response.completed":
                    events.append(response_stream_events(response, self.model_name)[-1])
                continue
            if isinstance(event, ResponseCompletedEvent):
                # The run takes its response from this event: give it the ids kept unique.
                completed = event.response.model_copy(update={"output": response.output})
                event = event.model_copy(update={"response": completed})
            events.append(event)
        return events


async def run_model_activity(
    params: ModelActivityParameters,
    call: ModelCallInput,
    summary: str,
    stream: StreamTarget | TopicTarget | None = None,
) -> Any:
    """Run the model activity for ``call``, referencing conversation items already stored."""
    prepared = prepare_input(call.input)
    call = dataclasses.replace(call, input=prepared.items, input_ref=prepared.ref)
    result = await _schedule_model_activity(params, call, summary, stream)
    if isinstance(result, TopicStreamResponse):
        prepared.confirm(result.response)
        return result
    return prepared.confirm(result)


_PUBLISHED_NAME_PATCH = "agents_temporal.model-activity-named-as-published"
_PUBLISHED_CLIENT_HEADER = "__openai_span"


def model_activity_name() -> str:
    """The activity type this workflow run schedules its model calls as.

    New runs use the published integration's name (a patch marker in history says so). A run
    started by a client of the published integration (whose header it carries) used it from
    its first call, marker or not: it is such a run, taken over by this worker. Any other run
    without the marker started before the name changed and keeps the name it began with.
    """
    if _PUBLISHED_CLIENT_HEADER in workflow.info().headers or workflow.patched(
        _PUBLISHED_NAME_PATCH
    ):
        return MODEL_ACTIVITY_NAME
    return LEGACY_MODEL_ACTIVITY_NAME


async def _schedule_model_activity(
    params: ModelActivityParameters,
    call: ModelCallInput,
    summary: str,
    stream: StreamTarget | TopicTarget | None,
) -> Any:
    """Schedule the model activity for ``call``.

    With a ``stream``, the streaming model activity runs instead and sends its deltas there
    (or its events to a workflow stream topic). A failed call raises the ``ActivityError`` as
    the published integration does (its cause an ``ApplicationError`` whose type says what
    failed: ``APIStatusError`` for an HTTP error of the provider), except a response with too
    many tool calls, which fails the run.
    """
    result_type: type[Any] = ModelCallResponse
    if stream is None:
        name = model_activity_name()
    elif isinstance(stream, TopicTarget):
        name, result_type = TOPIC_STREAM_MODEL_ACTIVITY_NAME, TopicStreamResponse
    else:
        name = STREAM_MODEL_ACTIVITY_NAME
    args: list[Any] = [call] if stream is None else [call, stream]
    try:
        if params.use_local_activity:
            return await workflow.execute_local_activity(
                name,
                args=args,
                result_type=result_type,
                schedule_to_close_timeout=params.schedule_to_close_timeout,
                schedule_to_start_timeout=params.schedule_to_start_timeout,
                start_to_close_timeout=params.start_to_close_timeout,
                retry_policy=params.retry_policy,
                cancellation_type=params.cancellation_type,
                summary=summary,
            )
        return await workflow.execute_activity(
            name,
            args=args,
            result_type=result_type,
            task_queue=params.task_queue,
            schedule_to_close_timeout=params.schedule_to_close_timeout,
            schedule_to_start_timeout=params.schedule_to_start_timeout,
            start_to_close_timeout=params.start_to_close_timeout,
            heartbeat_timeout=params.heartbeat_timeout,
            retry_policy=params.retry_policy,
            cancellation_type=params.cancellation_type,
            versioning_intent=params.versioning_intent,
            summary=summary,
            priority=params.priority,
        )
    except ActivityError as error:
        cause = error.cause
        if isinstance(cause, CancelledError):
            # The workflow cancelled the call (a stopped turn): not the provider's failure.
            raise asyncio.CancelledError(cause.message) from error
        if isinstance(cause, ApplicationError) and cause.type == TOO_MANY_TOOL_CALLS:
            raise AgentsWorkflowError(cause.message, type=TOO_MANY_TOOL_CALLS) from error
        raise


class ActivityModelProvider(ModelProvider):
    """Hands out activity-backed models inside a workflow."""

    def __init__(self, params: ModelActivityParameters, tracker: AgentTracker) -> None:
        self._params = params
        self._tracker = tracker

    def get_model(self, model_name: str | None) -> Model:
        return ActivityModel(model_name, self._params, self._tracker)
