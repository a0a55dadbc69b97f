"""A Nexus weather service, its handler, and an agent workflow that calls it as a tool."""

from __future__ import annotations

from dataclasses import dataclass

import nexusrpc
import nexusrpc.handler
from agents import Agent, Runner
from pydantic import BaseModel
from temporalio import workflow

from agents_temporal.workflow import nexus_operation_as_tool


class WeatherInput(BaseModel):
    city: str


class Weather(BaseModel):
    city: str
    conditions: str

    def __str__(self) -> str:
        return f"{self.conditions} in {self.city}"


@nexusrpc.service
class WeatherService:
    get_weather: nexusrpc.Operation[WeatherInput, Weather]


@nexusrpc.handler.service_handler(service=WeatherService)
class WeatherHandler:
    """Answers from a table: a real handler, served by the test's worker."""

    @nexusrpc.handler.sync_operation
    async def get_weather(
        self, ctx: nexusrpc.handler.StartOperationContext, input: WeatherInput
    ) -> Weather:
        return Weather(city=input.city, conditions={"Tokyo": "Sunny"}.get(input.city, "Fog"))


@dataclass
class WeatherQuestion:
    endpoint: str
    question: str


@workflow.defn
class NexusWeatherWorkflow:
    @workflow.run
    async def run(self, request: WeatherQuestion) -> str:
        agent = Agent(
            name="Forecaster",
            instructions="Answer with the weather tool.",
            tools=[
                nexus_operation_as_tool(
                    WeatherService.get_weather, service=WeatherService, endpoint=request.endpoint
                )
            ],
        )
        result = await Runner.run(agent, input=request.question)
        return result.final_output
