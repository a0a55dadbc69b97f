"""The plugin's workflow, in a module of its own: the sandbox re-imports it for every workflow."""

from __future__ import annotations

from bench_workflows import run_agent
from temporalio import workflow


@workflow.defn
class AgentConversation:
    """One conversation of CALLS_PER_CONVERSATION model calls through the plugin."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        return await run_agent(prompt)
