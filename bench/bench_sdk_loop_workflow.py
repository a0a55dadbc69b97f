"""The SDK-loop workflow, in a module of its own: the sandbox re-imports it for every workflow."""

from __future__ import annotations

from agents import RunConfig
from agents.run import AgentRunner
from bench_workflows import CALLS_PER_CONVERSATION, NoopActivityProvider, conversation_agent
from temporalio import workflow


@workflow.defn
class SdkLoopConversation:
    """The Agents SDK's own run loop in a workflow, each model call a no-op activity.

    It calls the SDK's ``AgentRunner`` directly, so none of the plugin's code runs: the
    difference to the floor is what the SDK's loop itself costs inside a workflow.
    """

    @workflow.run
    async def run(self, prompt: str) -> str:
        config = RunConfig(model_provider=NoopActivityProvider(), tracing_disabled=True)
        result = await AgentRunner().run(
            conversation_agent(), prompt, run_config=config, max_turns=CALLS_PER_CONVERSATION + 1
        )
        return str(result.final_output)
