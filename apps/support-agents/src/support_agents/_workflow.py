"""SupportConversation: one workflow per customer conversation.

A module of its own, because the workflow sandbox re-imports the module that defines it.
"""

from __future__ import annotations

from typing import Any

from agents import Agent, InputGuardrailTripwireTriggered, OutputGuardrailTripwireTriggered
from temporalio import workflow

from agents_temporal.workflow import ConversationInput, ConversationSummary, ConversationWorkflow

with workflow.unsafe.imports_passed_through():
    from support_agents._agents import build_agents
    from support_tools import DEMO_CUSTOMER_ID, STORE_NAME, SupportContext

SUPPORT_WORKFLOW_NAME = "SupportConversation"
DEMO_CUSTOMER_NAME = "Maya Chen"
DEMO_CUSTOMER_EMAIL = "maya.chen@example.com"


@workflow.defn(name=SUPPORT_WORKFLOW_NAME)
class SupportConversation(ConversationWorkflow[SupportContext]):
    """A customer's conversation with the store's support agents, from triage to resolution."""

    context_type = SupportContext

    def build_agent(self) -> Agent[SupportContext]:
        return build_agents()

    def load_context(self, data: Any) -> SupportContext:
        """The customer the conversation is with; the demo customer when none is given."""
        if not data:
            return SupportContext(
                customer_id=DEMO_CUSTOMER_ID,
                customer_name=DEMO_CUSTOMER_NAME,
                customer_email=DEMO_CUSTOMER_EMAIL,
            )
        return super().load_context(data)

    def describe_error(self, error: Exception) -> str:
        if isinstance(error, InputGuardrailTripwireTriggered | OutputGuardrailTripwireTriggered):
            info = error.guardrail_result.output.output_info
            reasoning = getattr(info, "reasoning", "")
            name = error.guardrail_result.guardrail.get_name()
            if name == "jailbreak":
                return f"I can't help with that. ({reasoning})"
            if name == "relevance":
                return (
                    f"I can only help with {STORE_NAME} orders, deliveries, refunds and store "
                    f"policies. ({reasoning})"
                )
            return f"I can't share that answer: it would reveal private details. ({reasoning})"
        return super().describe_error(error)

    @workflow.run
    async def run(self, input: ConversationInput) -> ConversationSummary:
        return await self.run_conversation()
