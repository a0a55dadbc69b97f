"""Workflows that break determinism, for the tests that prove our workers still catch it."""

from __future__ import annotations

import random  # noqa: TID251 - the non-determinism under test
import time
from datetime import timedelta

from agents import Agent, Runner, function_tool
from temporalio import activity, workflow


@function_tool
def stamp() -> str:
    """Stamp the conversation with the wall clock (which a workflow must never read)."""
    return str(time.time())  # noqa: TID251 - the non-determinism under test


@workflow.defn
class ReadsWallClock:
    """Reads the wall clock in workflow code, or in a function tool an agent calls."""

    @workflow.run
    async def run(self, where: str) -> str:
        if where == "workflow":
            return str(time.time())  # noqa: TID251 - the non-determinism under test
        if where == "random":
            return str(random.random())
        if where == "imported":
            # A function-level import of a module the workflow already loaded is answered by the
            # plugin's importer shortcut, and must still hand out the restricted function.
            from time import time as wall_clock  # noqa: TID251 - the non-determinism under test

            return str(wall_clock())
        agent = Agent(name="Clerk", instructions="Stamp, then answer.", tools=[stamp])
        result = await Runner.run(agent, "stamp it")
        return str(result.final_output)


@activity.defn
async def first_step(value: str) -> str:
    """One step of the workflow whose commands change between recording and replay."""
    return value


@activity.defn
async def other_step(value: str) -> str:
    """The step a later version of the code schedules instead."""
    return value


@workflow.defn(name="ChangesCommands")
class ChangesCommandsBefore:
    """The code a history was recorded with."""

    @workflow.run
    async def run(self, value: str) -> str:
        return await workflow.execute_activity(
            first_step, value, start_to_close_timeout=timedelta(seconds=10)
        )


@workflow.defn(name="ChangesCommands")
class ChangesCommandsAfter:
    """The same workflow type, changed so that it schedules another activity."""

    @workflow.run
    async def run(self, value: str) -> str:
        return await workflow.execute_activity(
            other_step, value, start_to_close_timeout=timedelta(seconds=10)
        )


@workflow.defn
class CallsRestrictedBuiltin:
    """Calls a builtin the sandbox refuses to workflow code."""

    @workflow.run
    async def run(self, builtin: str) -> str:
        if builtin == "open":
            with open(__file__) as source:  # noqa: ASYNC230 - the refusal under test
                return source.readline()
        if builtin == "input":
            return input()  # noqa: ASYNC250 - the refusal under test
        breakpoint()
        return "resumed"
