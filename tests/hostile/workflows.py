"""A neutral help-desk conversation for hostile-input tests: one agent, an approval tool.

Workflow classes live in their own module because the sandbox re-imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from agents import Agent, RunContextWrapper, Runner, function_tool
from temporalio import activity, workflow

from agents_temporal.workflow import (
    ConversationConfig,
    ConversationInput,
    ConversationSummary,
    ConversationWorkflow,
    activity_as_tool,
)

DESK = "Answer the customer; refunds need an operator's approval."


@dataclass
class Ledger:
    """What the refund activity did, seen by the test process."""

    refunds: list[tuple[str, float]] = field(default_factory=list[tuple[str, float]])


LEDGER = Ledger()


@activity.defn
async def issue_refund(order_id: str, amount: float) -> str:
    """Refund an amount on an order."""
    LEDGER.refunds.append((order_id, amount))
    return f"Refunded {amount:.2f} on order {order_id}"


@function_tool
def take_note(ctx: RunContextWrapper[Any], note: str) -> str:
    """Note something about the customer (runs in the workflow, no approval)."""
    return f"Noted: {note}"


def build_desk_agent() -> Agent[Any]:
    refund = activity_as_tool(
        issue_refund, start_to_close_timeout=timedelta(seconds=10), needs_approval=True
    )
    return Agent[Any](name="Desk", instructions=DESK, tools=[refund, take_note])


@workflow.defn
class DeskConversation(ConversationWorkflow[Any]):
    # Longer messages than the library's default, fewer approvals: a client may tighten these,
    # never loosen them.
    conversation_config = ConversationConfig(max_message_chars=20_000, max_approvals_per_turn=5)

    def build_agent(self) -> Agent[Any]:
        return build_desk_agent()

    @workflow.run
    async def run(self, input: ConversationInput) -> ConversationSummary:
        return await self.run_conversation()


ACTIVITIES: list[Any] = [issue_refund]


@workflow.defn
class DeskTask:
    """One agent run, not a conversation: ``Runner.run`` with no streaming."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        result = await Runner.run(build_desk_agent(), prompt)
        return str(result.final_output)
