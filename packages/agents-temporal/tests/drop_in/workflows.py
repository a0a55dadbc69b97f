"""Workflows of the published integration's behaviours: failing tools, summaries, model errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from agents import Agent, RunContextWrapper, Runner
from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from agents_temporal.workflow import activity_as_tool

WEATHER_TOOL = "get_weather_failure"


@activity.defn(name=WEATHER_TOOL)
async def get_weather_failure(city: str) -> str:
    """Get the weather for a city (the weather service is down for good).

    Args:
        city: The city.
    """
    raise ApplicationError(f"No weather for {city}", non_retryable=True)


def tell_the_model(ctx: RunContextWrapper[Any], error: Exception) -> str:
    """The failure as the model reads it."""
    cause = error.cause if isinstance(error, ActivityError) else error
    return f"the weather tool failed: {cause}"


@workflow.defn
class FailingToolAgent:
    """An agent whose only tool always fails; ``hand_to_model`` opts in to telling the model."""

    @workflow.run
    async def run(self, hand_to_model: bool) -> str:
        tool = activity_as_tool(
            get_weather_failure,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(maximum_attempts=1),
            failure_error_function=tell_the_model if hand_to_model else None,
        )
        agent = Agent(name="Weather", instructions="Tell the weather.", tools=[tool])
        result = await Runner.run(agent, "Weather in Tokyo?")
        return str(result.final_output)
