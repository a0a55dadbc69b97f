"""The shelf app's conversation workflow (a module of its own: the sandbox re-imports it)."""

from __future__ import annotations

from agents import Agent
from temporalio import workflow

from agents_temporal.workflow import ConversationInput, ConversationSummary, ConversationWorkflow

with workflow.unsafe.imports_passed_through():
    from tests.offline_app.agents import build_agents


@workflow.defn(name="ShelfConversation")
class ShelfConversation(ConversationWorkflow[None]):
    def build_agent(self) -> Agent[None]:
        return build_agents()

    @workflow.run
    async def run(self, input: ConversationInput) -> ConversationSummary:
        return await self.run_conversation()
