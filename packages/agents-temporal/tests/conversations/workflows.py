"""A small shop conversation built on ConversationWorkflow: triage, refunds, approvals.

Workflow classes live in their own module because the sandbox re-imports it.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from agents import Agent, RunContextWrapper, function_tool
from temporalio import activity, workflow
from temporalio.common import RetryPolicy

from agents_temporal.workflow import (
    ApprovalContext,
    ConversationInput,
    ConversationSummary,
    ConversationWorkflow,
    PendingApproval,
    activity_as_tool,
)

TRIAGE = "Route each customer to the right desk."
REFUNDS = "Issue refunds the customer asks for."


@dataclass
class ShopContext:
    customer: str = "guest"
    notes: list[str] = field(default_factory=list[str])


@dataclass
class RefundDesk:
    """What the refund activity did, and a gate that holds the slow lookup until released."""

    refunds: list[tuple[str, float]] = field(default_factory=list[tuple[str, float]])
    lookup_started: asyncio.Event | None = None
    release_lookup: asyncio.Event | None = None


DESK = RefundDesk()


@activity.defn
async def issue_refund(order_id: str, amount: float) -> str:
    """Refund an amount on an order."""
    DESK.refunds.append((order_id, amount))
    return f"Refunded {amount:.2f} on order {order_id}"


@activity.defn
async def slow_lookup(order_id: str) -> str:
    """Look an order up (slowly)."""
    if DESK.lookup_started is not None and DESK.release_lookup is not None:
        DESK.lookup_started.set()
        await DESK.release_lookup.wait()
    return f"Order {order_id} is on its way"


@function_tool
def remember(ctx: RunContextWrapper[ShopContext], note: str) -> str:
    """Remember something about the customer for the rest of the conversation."""
    ctx.context.notes.append(note)
    return f"Noted for {ctx.context.customer} ({len(ctx.context.notes)} notes)"


def build_shop_agents() -> Agent[ShopContext]:
    timeout = timedelta(seconds=10)
    refunds = Agent[ShopContext](
        name="Refunds",
        instructions=REFUNDS,
        tools=[
            activity_as_tool(issue_refund, start_to_close_timeout=timeout, needs_approval=True),
            remember,
        ],
    )
    triage = Agent[ShopContext](
        name="Triage",
        instructions=TRIAGE,
        handoffs=[refunds],
        tools=[remember, activity_as_tool(slow_lookup, start_to_close_timeout=timeout)],
    )
    refunds.handoffs = [triage]
    return triage


@workflow.defn
class ShopConversation(ConversationWorkflow[ShopContext]):
    context_type = ShopContext

    def build_agent(self) -> Agent[ShopContext]:
        return build_shop_agents()

    @workflow.run
    async def run(self, input: ConversationInput) -> ConversationSummary:
        return await self.run_conversation()


@activity.defn
async def order_facts(order_id: str) -> dict[str, str]:
    """What the shop knows about an order, for the operator deciding a refund on it."""
    if order_id == "LOST":
        raise ValueError(f"no order {order_id}")
    return {"Order total": f"{order_id}: 80.00", "Already refunded": "0.00"}


@workflow.defn
class DescribedShopConversation(ShopConversation):
    """The shop, with a summary and facts on each refund approval (from an activity)."""

    async def describe_approval(self, approval: PendingApproval) -> ApprovalContext | None:
        arguments: dict[str, Any] = json.loads(approval.arguments)
        facts: dict[str, str] = await workflow.execute_activity(
            order_facts,
            str(arguments["order_id"]),
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(maximum_attempts=1),
        )
        return ApprovalContext(
            summary=f"Refund {arguments['amount']:.2f} on order {arguments['order_id']}",
            facts=facts,
        )

    @workflow.run
    async def run(self, input: ConversationInput) -> ConversationSummary:
        return await self.run_conversation()


ACTIVITIES: list[Any] = [issue_refund, slow_lookup, order_facts]
