"""What the benchmarks' workflows share: the agent and its tool, the models, the no-op activity.

An app's library, as the worker app treats one: the bench workers pass this module through
the sandbox (``PASSTHROUGH``), so it is imported once per process. Each sandboxed workflow the
CPU benches compare lives in a module of its own (``bench_agent_workflow``,
``bench_floor_workflow``, ``bench_sdk_loop_workflow``), which the sandbox re-imports for every
new workflow, as it does an app's workflow module: each mode pays for its own module only, not
for defining every other bench workflow again. ``UnstreamedAnswer`` stays here for
``bench/streaming.py``, whose worker does not pass this module through.
"""

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
    Runner,
    Tool,
    TResponseInputItem,
    function_tool,
)
from openai.types.responses.response_prompt_param import ResponsePromptParam
from temporalio import activity, workflow

from agents_temporal.testing import ResponseBuilders

CALLS_PER_CONVERSATION = 10
PASSTHROUGH = "bench_workflows"
"""The module name the bench workers pass through the sandbox."""


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
    activity serializes it, and the SDK's loop (``bench_sdk_loop_workflow``) only reassigns its
    ``usage`` to an equal value.
    """
    if tool_outputs < CALLS_PER_CONVERSATION - 1:
        step = tool_outputs + 1
        return ResponseBuilders.tool_call(
            json.dumps({"step": step}), "next_step", call_id=f"call_{step}"
        )
    return ResponseBuilders.output_message("finished")


async def run_agent(prompt: str) -> str:
    """One conversation through ``Runner.run``."""
    result = await Runner.run(conversation_agent(), prompt, max_turns=CALLS_PER_CONVERSATION + 1)
    return str(result.final_output)


@workflow.defn(sandboxed=False)
class UnsandboxedAgentConversation:
    """The same conversation in a workflow that opts out of Temporal's sandbox."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        return await run_agent(prompt)


@activity.defn
async def noop(step: int) -> int:
    """Does nothing: the floor of an activity round trip."""
    return step


class NoopActivityModel(Model):
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


class NoopActivityProvider(ModelProvider):
    """Gives every agent the ``NoopActivityModel``."""

    def get_model(self, model_name: str | None) -> Model:
        return NoopActivityModel()


@workflow.defn
class UnstreamedAnswer:
    """One answer through ``Runner.run``: the history of a model call that streams nowhere
    (``bench/streaming.py``'s baseline; ``Runner.run_streamed`` with no log is refused)."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        writer = Agent(name="Writer", instructions="Write what is asked.", model="gpt-4o-mini")
        result = await Runner.run(writer, prompt)
        return str(result.final_output)
