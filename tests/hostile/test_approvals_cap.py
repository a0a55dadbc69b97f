"""H1: a turn may ask for only so many approvals; over the cap it fails, and nothing waits."""

from __future__ import annotations

from temporalio.client import Client

from agents_temporal.client import ConversationConfig, ConversationInput
from tests.hostile.support import HISTORIES, desk
from tests.hostile.workflows import LEDGER


async def test_a_turn_over_the_approvals_cap_fails_and_the_next_one_works(
    temporal_client: Client, task_queue: str
) -> None:
    async with desk(temporal_client, task_queue) as env:
        # The workflow allows 5 a turn; the client asks for more and does not get it.
        raised = ConversationInput(config=ConversationConfig(max_approvals_per_turn=100))
        conversation = await env.start(raised)
        flooded = await conversation.send("refund 6")
        pending = await conversation.pending_approvals()
        asked = await conversation.send("refund 5")
        approved = [
            await conversation.approve(a.id, operator="ops") for a in asked.pending_approvals
        ]
        transcript = await conversation.transcript()
        await HISTORIES.save(conversation.handle, "hostile_approvals_cap")

    assert flooded.status == "failed"
    assert flooded.error == (
        "The agent asked for approval of 6 tool calls in turn 1, more than the 5 a turn of this "
        "conversation may ask for (ConversationConfig.max_approvals_per_turn), so the calls "
        "waiting for approval did not run: ask for fewer things at once."
    )
    assert pending == []
    assert (asked.status, len(asked.pending_approvals)) == ("awaiting_approval", 5)
    assert (approved[-1].status, approved[-1].reply) == ("completed", "done: 5 tool outputs")
    assert len(LEDGER.refunds) == 5
    assert [e.kind for e in transcript if e.turn == 1] == ["user_message", "turn_failed"]


async def test_approvals_count_across_the_pauses_of_one_turn(
    temporal_client: Client, task_queue: str
) -> None:
    async with desk(temporal_client, task_queue) as env:
        tighter = ConversationInput(config=ConversationConfig(max_approvals_per_turn=4))
        conversation = await env.start(tighter)
        first = await conversation.send("refund 3 2")
        for approval in first.pending_approvals[:-1]:
            await conversation.approve(approval.id, operator="ops")
        second = await conversation.approve(first.pending_approvals[-1].id, operator="ops")
        after = await conversation.send("hello")

    assert (first.status, len(first.pending_approvals)) == ("awaiting_approval", 3)
    assert second.status == "failed"
    assert "approval of 6 tool calls in turn 1, more than the 4" in (second.error or "")
    assert len(LEDGER.refunds) == 3, "the first three were approved and ran"
    assert after.status == "completed"
