"""Workflows the benchmarks run; a module of its own because the sandbox re-imports it."""

from __future__ import annotations

import functools
import json
from datetime import timedelta
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
    RunConfig,
    Runner,
    Tool,
    TResponseInputItem,
    function_tool,
)
from agents.run import AgentRunner
from openai.types.responses.response_prompt_param import ResponsePromptParam
from temporalio import activity, workflow

from agents_temporal.testing import ResponseBuilders

CALLS_PER_CONVERSATION = 10


@function_tool
def next_step(step: int) -> str:
    """Advance the benchmark conversation."""
    return f"step {step} done"


def conversation_agent() -> Agent[None]:
    """The agent every benchmark conversation runs."""
    return Agent(name="Bench", instructions="Follow the steps.", tools=[next_step])


@functools.cache
def scripted_response(tool_outputs: int) -> ModelResponse:
    """The zero-latency model's answer after ``tool_outputs`` tool results: a step or the end.

    Built once per step and reused: the model runs in the worker's process, and building a
    response (pydantic models) on every call would count as the plugin's CPU though no real
    model costs the worker anything of the kind. The floor has no model at all, so the model
    here must cost as near nothing as it can. Nothing downstream changes a response: the
    activity serializes it, and in the SDK-loop workflow each step's response is used once.
    """
    if tool_outputs < CALLS_PER_CONVERSATION - 1:
        step = tool_outputs + 1
        return ResponseBuilders.tool_call(
            json.dumps({"step": step}), "next_step", call_id=f"call_{step}"
        )
    return ResponseBuilders.output_message("finished")


async def _run_agent(prompt: str) -> str:
    result = await Runner.run(conversation_agent(), prompt, max_turns=CALLS_PER_CONVERSATION + 1)
    return str(result.final_output)


@workflow.defn
class AgentConversation:
    """One conversation of CALLS_PER_CONVERSATION model calls through the plugin."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        return await _run_agent(prompt)


@workflow.defn(sandboxed=False)
class UnsandboxedAgentConversation:
    """The same conversation in a workflow that opts out of Temporal's sandbox."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        return await _run_agent(prompt)


@activity.defn
async def noop(step: int) -> int:
    """Does nothing: the floor of an activity round trip."""
    return step


@workflow.defn
class FloorConversation:
    """The same number of plain activity round trips, with no agent at all."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        for step in range(CALLS_PER_CONVERSATION):
            await workflow.execute_activity(
                noop, step, start_to_close_timeout=timedelta(seconds=10)
            )
        return prompt


class _NoopActivityModel(Model):
    """Each call is the no-op activity, then a scripted answer: the SDK loop over the floor."""

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
        items = [] if isinstance(input, str) else input
        done = sum(1 for item in items if item.get("type") == "function_call_output")
        await workflow.execute_activity(noop, done, start_to_close_timeout=timedelta(seconds=10))
        return scripted_response(done)

    def stream_response(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError


class _NoopActivityProvider(ModelProvider):
    def get_model(self, model_name: str | None) -> Model:
        return _NoopActivityModel()


@workflow.defn
class SdkLoopConversation:
    """The Agents SDK's own run loop in a workflow, each model call a no-op activity.

    It calls the SDK's ``AgentRunner`` directly, so none of the plugin's code runs: the
    difference to the floor is what the SDK's loop itself costs inside a workflow.
    """

    @workflow.run
    async def run(self, prompt: str) -> str:
        config = RunConfig(model_provider=_NoopActivityProvider(), tracing_disabled=True)
        result = await AgentRunner().run(
            conversation_agent(), prompt, run_config=config, max_turns=CALLS_PER_CONVERSATION + 1
        )
        return str(result.final_output)


@workflow.defn
class UnstreamedAnswer:
    """One answer through ``Runner.run``: the history of a model call that streams nowhere
    (``bench/streaming.py``'s baseline; ``Runner.run_streamed`` with no log is refused)."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        writer = Agent(name="Writer", instructions="Write what is asked.", model="gpt-4o-mini")
        result = await Runner.run(writer, prompt)
        return str(result.final_output)
