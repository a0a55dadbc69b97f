"""Workflows the benchmarks run; a module of its own because the sandbox re-imports it."""

from __future__ import annotations

from datetime import timedelta

from agents import Agent, Runner, function_tool
from temporalio import activity, workflow

CALLS_PER_CONVERSATION = 10


@function_tool
def next_step(step: int) -> str:
    """Advance the benchmark conversation."""
    return f"step {step} done"


def conversation_agent() -> Agent[None]:
    """The agent every benchmark conversation runs."""
    return Agent(name="Bench", instructions="Follow the steps.", tools=[next_step])


@workflow.defn
class AgentConversation:
    """One conversation of CALLS_PER_CONVERSATION model calls through the plugin."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        result = await Runner.run(
            conversation_agent(), prompt, max_turns=CALLS_PER_CONVERSATION + 1
        )
        return str(result.final_output)


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
