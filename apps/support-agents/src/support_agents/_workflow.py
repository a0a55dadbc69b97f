"""SupportConversation: one workflow per customer conversation.

A module of its own, because the workflow sandbox re-imports the module that defines it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from agents import Agent, InputGuardrailTripwireTriggered, OutputGuardrailTripwireTriggered
from temporalio import workflow

from agents_temporal.workflow import (
    ConversationInput,
    ConversationSummary,
    ConversationWorkflow,
    registered_mcp_servers,
)

with workflow.unsafe.imports_passed_through():
    from support_agents._agents import HELP_CENTRE_MCP, build_agents
    from support_agents._policy import REFUND_POLICY_ACTIVITY, RefundPolicy
    from support_tools import DEMO_CUSTOMER_ID, STORE_NAME, SupportContext

SUPPORT_WORKFLOW_NAME = "SupportConversation"
DEMO_CUSTOMER_NAME = "Maya Chen"
DEMO_CUSTOMER_EMAIL = "maya.chen@example.com"


@workflow.defn(name=SUPPORT_WORKFLOW_NAME)
class SupportConversation(ConversationWorkflow[SupportContext]):
    """A customer's conversation with the store's support agents, from triage to resolution."""

    context_type = SupportContext

    def build_agent(self) -> Agent[SupportContext]:
        return build_agents(help_centre_mcp=HELP_CENTRE_MCP in registered_mcp_servers())

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

    async def prepare(self) -> None:
        """Record the worker's refund limits for this conversation, once."""
        context = self.context
        if context.refund_approval_threshold_cents is None or context.refund_hard_cap_cents is None:
            # The worker's limits, recorded in history once: a later change of settings does
            # not change what an ongoing conversation promised, and replay stays deterministic.
            policy = await workflow.execute_local_activity(
                REFUND_POLICY_ACTIVITY,
                result_type=RefundPolicy,
                start_to_close_timeout=timedelta(seconds=10),
            )
            context.refund_approval_threshold_cents = policy.approval_threshold_cents
            context.refund_hard_cap_cents = policy.hard_cap_cents

    @workflow.run
    async def run(self, input: ConversationInput) -> ConversationSummary:
        return await self.run_conversation()
