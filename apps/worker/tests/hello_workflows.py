"""The worker tests' own small agent workflows: a hello and a weather agent with an activity tool.

They are the first two examples of packages/agents-temporal/tests/examples/spec_workflows.py,
kept here because a member's tests never import another member's tests. Workflow classes live
in a module of their own because the sandbox re-imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from agents import Agent, Runner
from temporalio import activity, workflow

import agents_temporal


@workflow.defn
class HelloWorldAgent:
    @workflow.run
    async def run(self, prompt: str) -> str:
        agent = Agent(
            name="Assistant",
            instructions="You only respond in haikus.",
        )

        result = await Runner.run(agent, input=prompt)
        return result.final_output


@dataclass
class Weather:
    city: str
    temperature_range: str
    conditions: str


@activity.defn
async def get_weather(city: str) -> Weather:
    """Get the weather for a given city."""
    return Weather(city=city, temperature_range="14-20C", conditions="Sunny with wind.")


@workflow.defn
class WeatherAgent:
    @workflow.run
    async def run(self, question: str) -> str:
        agent = Agent(
            name="Weather Assistant",
            instructions="You are a helpful weather agent.",
            tools=[
                agents_temporal.workflow.activity_as_tool(
                    get_weather, start_to_close_timeout=timedelta(seconds=10)
                )
            ],
        )
        result = await Runner.run(starting_agent=agent, input=question)
        return result.final_output


@workflow.defn
class GoodbyeAgent:
    """A second app's workflow, to tell apps apart on one worker."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        agent = Agent(name="Farewell", instructions="Say goodbye.")
        result = await Runner.run(agent, input=prompt)
        return result.final_output
