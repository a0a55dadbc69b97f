"""Workflows of the worker-secret tests: they name secrets, never hold them."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from agents import Agent, HostedMCPTool, Runner

    from agents_temporal import temporal_worker_env_ref

ALLOWED = "AGENTS_TEMPORAL_TEST_MCP_TOKEN"
"""A worker variable the test worker allows."""
DENIED = "AGENTS_TEMPORAL_TEST_OTHER_TOKEN"
"""A worker variable the test worker does not allow."""


@workflow.defn
class HostedMCPSecretAgent:
    """An agent whose hosted MCP server's credentials come from the worker's environment."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        tool = HostedMCPTool(
            tool_config={
                "type": "mcp",
                "server_label": "tickets",
                "server_url": "https://mcp.example.com/mcp",
                "require_approval": "never",
                "authorization": temporal_worker_env_ref(ALLOWED),
                "headers": {
                    "X-Api-Key": "Key " + temporal_worker_env_ref(ALLOWED),
                    "X-Other": temporal_worker_env_ref(DENIED),
                },
            }
        )
        agent = Agent[None](name="Ticket agent", instructions="Answer.", tools=[tool])
        result = await Runner.run(agent, prompt)
        return str(result.final_output)


WORKFLOWS: list[type] = [HostedMCPSecretAgent]
