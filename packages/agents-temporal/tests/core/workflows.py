"""Workflows that try what a workflow must refuse, each with a clear error."""

from __future__ import annotations

from datetime import timedelta

from agents import (
    Agent,
    LocalShellTool,
    MaxTurnsExceeded,
    ModelSettings,
    RunConfig,
    Runner,
    SQLiteSession,
    function_tool,
    handoff,
)
from agents.extensions import handoff_filters
from openai.types.shared import Reasoning
from temporalio import workflow

from agents_temporal.testing import ResponseBuilders, TestModel
from agents_temporal.workflow import activity_as_tool
from stack_testapp.spec_examples import get_weather


@workflow.defn
class RefusalWorkflow:
    @workflow.run
    async def run(self, case: str) -> str:
        agent = Agent(name="Assistant", instructions="Help.")
        if case == "run_sync":
            Runner.run_sync(agent, "hi")
        elif case == "sqlite_session":
            await Runner.run(agent, "hi", session=SQLiteSession("conversation"))
        elif case == "local_shell":
            shell = LocalShellTool(executor=lambda request: "")
            await Runner.run(agent.clone(tools=[shell]), "hi")
        elif case == "model_object":
            await Runner.run(
                agent.clone(model=TestModel(lambda: ResponseBuilders.output_message("x"))), "hi"
            )
        return "not refused"


@workflow.defn
class NamedModelAgent:
    """The weather agent on a model chosen by name, for the real client path."""

    @workflow.run
    async def run(self, model: str, question: str) -> str:
        agent = Agent(
            name="Weather Assistant",
            instructions="You are a helpful weather agent.",
            model=model,
            tools=[activity_as_tool(get_weather, start_to_close_timeout=timedelta(seconds=10))],
        )
        result = await Runner.run(agent, question)
        return str(result.final_output)


@function_tool
def record_step(step: int) -> str:
    """Record that a step of the plan is done."""
    return f"step {step} recorded"


@workflow.defn
class MultiStepAgent:
    """An agent that works through several tool calls before answering."""

    @workflow.run
    async def run(self, task: str) -> str:
        agent = Agent(name="Planner", instructions="Do every step.", tools=[record_step])
        result = await Runner.run(agent, task, max_turns=20)
        return str(result.final_output)


@workflow.defn
class RunOptionsAgent:
    """Handoff input filters, RunConfig overrides and max_turns inside a workflow."""

    @workflow.run
    async def run(self, case: str) -> str:
        specialist = Agent(name="Specialist", instructions="Answer.")
        triage = Agent(
            name="Triage",
            instructions="Route.",
            tools=[record_step],
            handoffs=[handoff(specialist, input_filter=handoff_filters.remove_all_tools)],
        )
        try:
            if case == "max_turns":
                await Runner.run(triage, "loop", max_turns=2)
            elif case == "model_override":
                result = await Runner.run(
                    triage, "hi", run_config=RunConfig(model="override-model")
                )
                return str(result.final_output)
            elif case == "model_settings":
                settings = ModelSettings(
                    temperature=0.3, reasoning=Reasoning(effort="low"), metadata={"desk": "7"}
                )
                result = await Runner.run(
                    specialist, "hi", run_config=RunConfig(model_settings=settings)
                )
                return str(result.final_output)
            else:
                result = await Runner.run(triage, "route me", max_turns=5)
                return str(result.final_output)
        except MaxTurnsExceeded as exceeded:
            return f"stopped: {exceeded.message}"
        return "unreachable"
