"""Tool approvals end to end: approve, reject, edit, always, expire, across continue-as-new."""

from __future__ import annotations

import json
from datetime import timedelta

from temporalio.client import Client

from agents_temporal.client import ConversationConfig, ConversationHandle, TurnResult
from tests.conversations.support import eventually, function_calls, shop
from tests.conversations.workflows import DESK
from tests.replaying import save_history


async def _paused(conversation: ConversationHandle, text: str) -> TurnResult:
    result = await conversation.send(text)
    assert result.status == "awaiting_approval", result
    return result


async def test_approve_after_handoff_then_edit(temporal_client: Client, task_queue: str) -> None:
    async with shop(temporal_client, task_queue) as env:
        conversation = await env.start()
        paused = await _paused(conversation, "please refund A1 25")
        pending = await conversation.pending_approvals()
        approved = await conversation.approve(pending[0].id, operator="alice", reason="loyal")

        await _paused(conversation, "refund A3 500")
        edit = (await conversation.pending_approvals())[0]
        edited = await conversation.approve(
            edit.id, operator="bob", arguments={"order_id": "A3", "amount": 50}
        )
        follow_up = await conversation.send("thanks")
        transcript = await conversation.transcript()
        await save_history(conversation.handle, "conversation_approve_edit")

    # The approval was requested after the handoff, by the agent that holds the conversation.
    assert paused.agent == "Refunds"
    assert pending == paused.pending_approvals
    approval = pending[0]
    assert (approval.id, approval.tool, approval.agent, approval.turn) == (
        "approval-1",
        "issue_refund",
        "Refunds",
        1,
    )
    assert json.loads(approval.arguments) == {"order_id": "A1", "amount": 25.0}
    assert approval.expires_at == approval.requested_at + timedelta(hours=24)
    assert approval.parameters_schema is not None
    assert approval.parameters_schema["required"] == ["order_id", "amount"]
    assert (approved.status, approved.reply) == ("completed", "Refunds: Refunded 25.00 on order A1")

    # The edited call ran with the operator's arguments, and the model's history shows them.
    assert edited.reply == "Refunds: Refunded 50.00 on order A3"
    assert DESK.refunds == [("A1", 25.0), ("A3", 50.0)]
    assert follow_up.status == "completed"
    history_calls = {c.call_id: c for c in function_calls(env.model.requests[-1])}
    assert json.loads(history_calls[edit.call_id].arguments) == {"order_id": "A3", "amount": 50}

    decisions = [e.decision for e in transcript if e.kind == "approval_decision"]
    assert [(d.operator, d.approved, d.source) for d in decisions if d] == [
        ("alice", True, "operator"),
        ("bob", True, "operator"),
    ]
    first, second = (d for d in decisions if d)
    assert first.reason == "loyal"
    assert first.decided_at >= approval.requested_at
    assert second.edited_arguments == {"order_id": "A3", "amount": 50}
    kinds = [e.kind for e in transcript if e.turn == 1]
    assert kinds == [
        "user_message",
        "handoff",
        "tool_call",
        "approval_requested",
        "approval_decision",
        "tool_output",
        "agent_message",
    ]


async def test_reject_then_always_reject(temporal_client: Client, task_queue: str) -> None:
    async with shop(temporal_client, task_queue) as env:
        conversation = await env.start()
        first = await _paused(conversation, "refund A1 25")
        rejected = await conversation.reject(
            first.pending_approvals[0].id,
            operator="alice",
            reason="order already refunded",
            message="Refund refused: this order was already refunded.",
        )
        second = await _paused(conversation, "refund A2 30")
        always = await conversation.reject(
            second.pending_approvals[0].id, operator="carol", reason="refunds paused", always=True
        )
        # The policy answers the next call at once: the turn never waits.
        third = await conversation.send("refund A3 40")
        transcript = await conversation.transcript()

    assert rejected.reply == "Refunds: Refund refused: this order was already refunded."
    assert always.reply == (
        "Refunds: An operator rejected this call to 'issue_refund', so it was not run. "
        "Reason: refunds paused"
    )
    assert third.status == "completed"
    assert third.reply == always.reply
    assert DESK.refunds == []
    decisions = [e.decision for e in transcript if e.decision is not None]
    assert [(d.approval_id, d.source, d.operator, d.always) for d in decisions] == [
        ("approval-1", "operator", "alice", False),
        ("approval-2", "operator", "carol", True),
        ("approval-3", "policy", "carol", False),
    ]


async def test_always_approve(temporal_client: Client, task_queue: str) -> None:
    async with shop(temporal_client, task_queue) as env:
        conversation = await env.start()
        first = await _paused(conversation, "refund A1 5")
        await conversation.approve(first.pending_approvals[0].id, operator="alice", always=True)
        second = await conversation.send("refund A2 6")

    assert second.reply == "Refunds: Refunded 6.00 on order A2"
    assert DESK.refunds == [("A1", 5.0), ("A2", 6.0)]


async def test_unanswered_approval_expires(temporal_client: Client, task_queue: str) -> None:
    async with shop(temporal_client, task_queue) as env:
        config = ConversationConfig(approval_timeout=timedelta(seconds=2))
        conversation = await env.start(config)
        paused = await _paused(conversation, "refund A1 25")
        status = await eventually(conversation.status, lambda s: s.phase == "idle")
        transcript = await conversation.transcript()
        await save_history(conversation.handle, "conversation_expired")

    approval = paused.pending_approvals[0]
    assert approval.expires_at == approval.requested_at + timedelta(seconds=2)
    decision = next(e.decision for e in transcript if e.decision is not None)
    assert (decision.approved, decision.source, decision.operator) == (
        False,
        "timeout",
        "system:timeout",
    )
    assert approval.expires_at is not None
    assert decision.decided_at >= approval.expires_at
    assert transcript[-1].kind == "agent_message"
    assert transcript[-1].text == f"Refunds: {config.expired_approval_message}"
    assert status.pending_approvals == []
    assert DESK.refunds == []


async def test_pending_approval_crosses_continue_as_new(
    temporal_client: Client, task_queue: str
) -> None:
    async with shop(temporal_client, task_queue) as env:
        conversation = await env.start(ConversationConfig(continue_as_new_after_turns=1))
        paused = await _paused(conversation, "refund A7 70")
        # The turn paused and the workflow continued as new with the approval pending.
        status = await eventually(conversation.status, lambda s: s.workflow_runs == 2)
        approved = await conversation.approve(paused.pending_approvals[0].id, operator="dan")
        await save_history(conversation.handle, "conversation_approval_after_continue_as_new")

    assert status.phase == "awaiting_approval"
    assert status.pending_approvals == paused.pending_approvals
    assert approved.reply == "Refunds: Refunded 70.00 on order A7"
    assert DESK.refunds == [("A7", 70.0)]


async def test_close_rejects_pending_approvals(temporal_client: Client, task_queue: str) -> None:
    async with shop(temporal_client, task_queue) as env:
        conversation = await env.start()
        await _paused(conversation, "refund A1 25")
        summary = await conversation.close("customer left")
        result = await conversation.handle.result()
        transcript = await conversation.transcript()

    assert summary == result
    assert (summary.turns, summary.last_agent, summary.reason) == (1, "Refunds", "customer left")
    assert summary.usage.requests == 2
    closing = transcript[-2:]
    assert [e.kind for e in closing] == ["approval_decision", "closed"]
    assert closing[0].decision is not None
    assert (closing[0].decision.source, closing[0].decision.approved) == ("closed", False)
    assert closing[1].text == "customer left"
    assert DESK.refunds == []
