"""SupportConversation: one workflow per customer conversation.

A module of its own, because the workflow sandbox re-imports the module that defines it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from agents import Agent, InputGuardrailTripwireTriggered, OutputGuardrailTripwireTriggered
from temporalio import workflow
from temporalio.common import RetryPolicy

from agents_temporal import AgentsWorkflowError
from agents_temporal.workflow import (
    ApprovalContext,
    ConversationInput,
    ConversationSummary,
    ConversationWorkflow,
    PendingApproval,
    registered_mcp_servers,
)

with workflow.unsafe.imports_passed_through():
    from support_agents._agents import HELP_CENTRE_MCP, build_agents
    from support_agents._approval_context import REFUND_TOOL, refund_context
    from support_agents._policy import REFUND_POLICY_ACTIVITY, RefundPolicy
    from support_tools import (
        DEMO_CUSTOMER_ID,
        STORE_NAME,
        OrderDetails,
        OrderRequest,
        SupportContext,
        request_fields,
    )

SUPPORT_WORKFLOW_NAME = "SupportConversation"
APPROVAL_CONTEXT_PATCH = "support-approval-context"
"""Conversations recorded before refund approvals had a context replay without its lookup."""
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
        """Record the worker's refund limits for this conversation, once, when it starts.

        The limits come only from the worker's settings (REFUND_APPROVAL_THRESHOLD,
        REFUND_HARD_CAP), through one local activity whose result history records: replay
        reads the same limits, and a later change of settings does not change what an ongoing
        conversation promised. Continuing as new carries them in the context. A start input
        that sets them, or the tally of refunds already let through without approval
        (``refunds_without_approval``), is refused: whoever starts a conversation must not
        choose how much it may refund without an operator.

        Raises:
            AgentsWorkflowError: The start input sets a refund limit or tally (type
                ``InvalidConversationInput``, not retryable).
        """
        context = self.context
        limits = (context.refund_approval_threshold_cents, context.refund_hard_cap_cents)
        started_by_client = workflow.info().continued_run_id is None
        if started_by_client and limits != (None, None):
            raise AgentsWorkflowError(
                "The conversation's start input sets refund limits "
                "(refund_approval_threshold_cents or refund_hard_cap_cents), which only the "
                "worker's settings decide: start it without them; operators set "
                "REFUND_APPROVAL_THRESHOLD and REFUND_HARD_CAP on the worker",
                type="InvalidConversationInput",
            )
        if started_by_client and context.refunds_without_approval:
            # A forged tally (a negative amount, say) would lift the per-order threshold.
            raise AgentsWorkflowError(
                "The conversation's start input sets refunds_without_approval, which only the "
                "conversation itself records: start it without that field",
                type="InvalidConversationInput",
            )
        if None not in limits:
            return  # carried over from this conversation's earlier run
        policy = await workflow.execute_local_activity(
            REFUND_POLICY_ACTIVITY,
            result_type=RefundPolicy,
            start_to_close_timeout=timedelta(seconds=10),
        )
        context.refund_approval_threshold_cents = policy.approval_threshold_cents
        context.refund_hard_cap_cents = policy.hard_cap_cents

    async def describe_approval(self, approval: PendingApproval) -> ApprovalContext | None:
        """A refund's amount in the order's currency, the order, refunds so far and the limits.

        The order is read with the tools' own lookup activity, for the conversation's customer
        only (whatever order id the model wrote), so the operator sees the store's figures.
        """
        if approval.tool != REFUND_TOOL or not workflow.patched(APPROVAL_CONTEXT_PATCH):
            return None
        arguments = request_fields(approval.arguments)
        order_id = arguments.get("order_id")
        if not isinstance(order_id, str):
            return None
        order = await workflow.execute_activity(
            "support.lookup_order",
            OrderRequest(customer_id=self.context.customer_id, order_id=order_id),
            result_type=OrderDetails,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(maximum_attempts=3),
            summary=f"Context for approval {approval.id}",
        )
        return refund_context(arguments, order, self.context)

    @workflow.run
    async def run(self, input: ConversationInput) -> ConversationSummary:
        return await self.run_conversation()
