"""Build B's DeskConversation (workflow side): the same workflow type, build B's agents.

A module of its own, because the workflow sandbox re-imports the module that defines it.
"""

from __future__ import annotations

from agents import Agent
from temporalio import workflow

from agents_temporal.workflow import ConversationInput, ConversationSummary, ConversationWorkflow

with workflow.unsafe.imports_passed_through():
    from stack_testapp import DeskContext
    from tests.reliability.desk_next_agents import build_next_agents


@workflow.defn(name="DeskConversation")
class DeskConversationNext(ConversationWorkflow[DeskContext]):
    """Build B of a visitor's conversation with the test desk."""

    context_type = DeskContext

    def build_agent(self) -> Agent[DeskContext]:
        return build_next_agents()

    @workflow.run
    async def run(self, input: ConversationInput) -> ConversationSummary:
        return await self.run_conversation()
