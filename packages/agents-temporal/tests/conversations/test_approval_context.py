"""Approvals an operator can decide: the app's context on each, edits the tool accepts, and
decisions refused at once (with who was first) when the approval is already decided."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from agents_temporal.client import (
    ApprovalContext,
    ApprovalDecision,
    ConversationRefused,
    PendingApproval,
)
from tests.conversations.support import shop
from tests.conversations.workflows import DescribedShopConversation
from tests.replaying import save_history

REFUND_SCHEMA: dict[str, Any] = {
    "$defs": {
        "Request": {
            "type": "object",
            "properties": {
                "order_id": {"type": "string"},
                "amount_cents": {"type": "integer"},
                "note": {"default": "none", "type": "string"},
                "refund_key": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            },
            "required": ["order_id", "amount_cents", "note", "refund_key"],
            "additionalProperties": False,
        }
    },
    "type": "object",
    "properties": {
        "request": {"$ref": "#/$defs/Request"},
        "dry_run": {"type": ["boolean", "null"]},
    },
    "required": ["request", "dry_run"],
    "additionalProperties": False,
}


def approval(arguments: str, schema: dict[str, Any] | None = REFUND_SCHEMA) -> PendingApproval:
    return PendingApproval(
        id="approval-1",
        call_id="call-1",
        tool="issue_refund",
        arguments=arguments,
        agent="Refunds",
        turn=1,
        requested_at=datetime(2025, 1, 2, tzinfo=UTC),
        parameters_schema=schema,
    )


def test_editable_arguments_hold_every_property_the_schema_requires() -> None:
    # Models leave optional properties out; the strict schema requires every one of them.
    pending = approval('{"request": {"order_id": "A1", "amount_cents": 15000}}')
    model_arguments = json.loads(pending.arguments)
    assert pending.argument_problems(model_arguments) == [
        "(arguments): 'dry_run' is a required property",
        "request: 'note' is a required property",
        "request: 'refund_key' is a required property",
    ]
    editable = pending.editable_arguments()
    assert editable == {
        "request": {"order_id": "A1", "amount_cents": 15000, "note": "none", "refund_key": None},
        "dry_run": None,
    }
    assert pending.argument_problems(editable) == []
    editable["request"]["amount_cents"] = 150.5
    assert pending.argument_problems(editable) == [
        "request/amount_cents: 150.5 is not of type 'integer'"
    ]
    # JSON Schema's own integer type takes 60000.0; an amount in whole cents must not.
    editable["request"]["amount_cents"] = 60000.0
    assert pending.argument_problems(editable) == [
        "request/amount_cents: 60000.0 is not of type 'integer'"
    ]


@pytest.mark.parametrize("arguments", ["not json", "[1, 2]"])
def test_editable_arguments_of_unreadable_arguments_are_empty(arguments: str) -> None:
    assert approval(arguments).editable_arguments() == {}


def test_without_a_schema_anything_goes() -> None:
    pending = approval('{"a": 1}', schema=None)
    assert pending.editable_arguments() == {"a": 1}
    assert pending.argument_problems({"anything": True}) == []


async def test_describe_approval_gives_each_approval_its_context(
    temporal_client: Client, task_queue: str
) -> None:
    async with shop(temporal_client, task_queue, DescribedShopConversation) as env:
        conversation = await env.start()
        paused = await conversation.send("please refund A1 25")
        [described] = paused.pending_approvals
        await conversation.approve(described.id, operator="alice")
        # A lookup that fails leaves the approval without context, and the turn goes on.
        lost = await conversation.send("refund LOST 10")
        [bare] = lost.pending_approvals
        await conversation.reject(bare.id, operator="alice", reason="no such order")
        await save_history(conversation.handle, "conversation_approval_context")
        events = [e async for e in conversation.handle.fetch_history_events()]

    # The approval timers are named in the Web UI.
    timers = [e for e in events if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED]
    [summary] = {
        (await env.client.data_converter.decode([e.user_metadata.summary]))[0] for e in timers
    }
    assert timers and summary == "approval expiry"

    assert described.context == ApprovalContext(
        summary="Refund 25.00 on order A1",
        facts={"Order total": "A1: 80.00", "Already refunded": "0.00"},
    )
    assert bare.context is None
    assert lost.status == "awaiting_approval"


async def test_start_decide_refuses_at_once_saying_who_decided_and_when(
    temporal_client: Client, task_queue: str
) -> None:
    async with shop(temporal_client, task_queue) as env:
        conversation = await env.start()
        paused = await conversation.send("please refund A1 25")
        [pending] = paused.pending_approvals
        # Refusals come back from the validator, before anything waits for the turn.
        with pytest.raises(ConversationRefused) as busy:
            await conversation.start_send("hello?")
        await conversation.reject(pending.id, operator="bob", reason="policy")
        late_decision = ApprovalDecision(approval_id=pending.id, approve=True, operator="alice")
        with pytest.raises(ConversationRefused) as late:
            await conversation.start_decide(late_decision)
        accepted = await conversation.start_send("thanks", turn=2)
        reply = await accepted.result()

    assert busy.value.reason == "AgentBusy"
    assert late.value.reason == "AlreadyDecided"
    assert f"Approval {pending.id!r} (issue_refund) was already rejected by 'bob' at " in (
        late.value.message
    )
    assert reply.status == "completed"
