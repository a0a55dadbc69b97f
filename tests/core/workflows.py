"""Workflows that try what a workflow must refuse, each with a clear error."""

from __future__ import annotations

from agents import Agent, LocalShellTool, Runner, SQLiteSession
from agents_temporal.testing import ResponseBuilders, TestModel
from temporalio import workflow


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
