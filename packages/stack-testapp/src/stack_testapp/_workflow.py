"""DeskConversation (workflow side): one conversation with the desk.

A module of its own, because the workflow sandbox re-imports the module that defines it.
"""

from __future__ import annotations

from agents import Agent, InputGuardrailTripwireTriggered
from temporalio import workflow

from agents_temporal.workflow import ConversationInput, ConversationSummary, ConversationWorkflow

with workflow.unsafe.imports_passed_through():
    from stack_testapp._agents import DeskContext, build_agents


@workflow.defn(name="DeskConversation")
class DeskConversation(ConversationWorkflow[DeskContext]):
    """A visitor's conversation with the test desk."""

    context_type = DeskContext

    def build_agent(self) -> Agent[DeskContext]:
        return build_agents()

    def describe_error(self, error: Exception) -> str:
        if isinstance(error, InputGuardrailTripwireTriggered):
            return "The desk never handles passwords."
        return super().describe_error(error)

    @workflow.run
    async def run(self, input: ConversationInput) -> ConversationSummary:
        return await self.run_conversation()
