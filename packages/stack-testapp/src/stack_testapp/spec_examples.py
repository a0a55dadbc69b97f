"""Small agent workflows from the specification's examples, for tests of the stack's parts.

``HelloWorldAgent`` and ``WeatherAgent`` (with its activity tool ``get_weather``) are the first
two examples of the specification, with only the import path changed (and docstrings added);
``GoodbyeAgent`` is a third as small, so a test can run two apps on one worker and tell them
apart. The worker's tests serve them as apps of their own making (settings, activities,
offline models); the library's tests run them with the specification's other examples
(``packages/agents-temporal/tests/examples/``) and replay their committed histories.

They live here, not under a member's ``tests/``, because members' tests never import one
another's; the library itself does not depend on this package, only its tests use it. Workflow
classes have this module to themselves because the workflow sandbox re-imports it for every
run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from agents import Agent, Runner
from temporalio import activity, workflow

import agents_temporal

__all__ = ["GoodbyeAgent", "HelloWorldAgent", "Weather", "WeatherAgent", "get_weather"]


@workflow.defn
class HelloWorldAgent:
    """One agent, no tools: the model's first answer is the result."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        """Answer ``prompt`` in a haiku."""
        agent = Agent(
            name="Assistant",
            instructions="You only respond in haikus.",
        )

        result = await Runner.run(agent, input=prompt)
        return result.final_output


@dataclass
class Weather:
    """What ``get_weather`` reports for a city."""

    city: str
    """The city asked about."""
    temperature_range: str
    """Lowest and highest temperature, e.g. ``14-20C``."""
    conditions: str
    """The sky and wind, in words."""


@activity.defn
async def get_weather(city: str) -> Weather:
    """Get the weather for a given city."""
    return Weather(city=city, temperature_range="14-20C", conditions="Sunny with wind.")


@workflow.defn
class WeatherAgent:
    """One agent with an activity tool (``get_weather``)."""

    @workflow.run
    async def run(self, question: str) -> str:
        """Answer a weather ``question``, calling the tool as the model asks."""
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
        """Answer ``prompt`` with a goodbye."""
        agent = Agent(name="Farewell", instructions="Say goodbye.")
        result = await Runner.run(agent, input=prompt)
        return result.final_output
