"""The specification's examples, with only the import path changed, plus the other standard ones.

The first two (``HelloWorldAgent``, ``WeatherAgent`` with its activity ``get_weather``) are in
``stack_testapp.spec_examples``, which the worker's tests use too; the rest are here. Workflow
classes live in their own module because the sandbox re-imports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents import (
    Agent,
    GuardrailFunctionOutput,
    InputGuardrailTripwireTriggered,
    RunContextWrapper,
    Runner,
    TResponseInputItem,
    function_tool,
    input_guardrail,
)
from pydantic import BaseModel
from temporalio import workflow


@function_tool
def calculate_circle_area(radius: float) -> float:
    """Calculate the area of a circle given its radius."""
    import math

    return math.pi * radius**2


@workflow.defn
class MathAssistantAgent:
    @workflow.run
    async def run(self, message: str) -> str:
        agent = Agent(
            name="Math Assistant",
            instructions=(
                "You are a helpful math assistant. Use the available tools to help with "
                "calculations."
            ),
            tools=[calculate_circle_area],
        )
        result = await Runner.run(agent, input=message)
        return result.final_output


@dataclass
class TriageResult:
    answered_by: str
    answer: str


@workflow.defn
class TriageAgent:
    @workflow.run
    async def run(self, message: str) -> TriageResult:
        billing = Agent(name="Billing", instructions="Answer billing questions.")
        shipping = Agent(name="Shipping", instructions="Answer shipping questions.")
        triage = Agent(
            name="Triage",
            instructions="Hand the customer to the right specialist.",
            handoffs=[billing, shipping],
        )
        result = await Runner.run(triage, input=message)
        return TriageResult(answered_by=result.last_agent.name, answer=result.final_output)


class HomeworkCheck(BaseModel):
    is_homework: bool
    reasoning: str


@input_guardrail
async def no_homework(
    ctx: RunContextWrapper[None], agent: Agent[None], user_input: str | list[TResponseInputItem]
) -> GuardrailFunctionOutput:
    """An agent guardrail: a small agent decides whether the request is homework."""
    checker = Agent(
        name="Homework check", instructions="Is this homework?", output_type=HomeworkCheck
    )
    verdict = await Runner.run(checker, user_input, context=ctx.context)
    check = verdict.final_output_as(HomeworkCheck)
    return GuardrailFunctionOutput(output_info=check, tripwire_triggered=check.is_homework)


@workflow.defn
class GuardedAgent:
    @workflow.run
    async def run(self, message: str) -> str:
        agent = Agent(
            name="Tutor",
            instructions="Help, but never do homework.",
            input_guardrails=[no_homework],
        )
        try:
            result = await Runner.run(agent, input=message)
        except InputGuardrailTripwireTriggered as tripped:
            info = tripped.guardrail_result.output.output_info
            return f"refused: {info.reasoning}"
        return result.final_output


class CityFacts(BaseModel):
    city: str
    population_millions: float


@workflow.defn
class StructuredOutputAgent:
    @workflow.run
    async def run(self, city: str) -> CityFacts:
        agent = Agent(name="Facts", instructions="Give facts.", output_type=CityFacts)
        result = await Runner.run(agent, input=f"Facts about {city}")
        return result.final_output_as(CityFacts)
