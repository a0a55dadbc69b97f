"""Refund rules that hold across a conversation, whatever the model or an operator's edit sends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from agents_temporal.client import ConversationRefused
from tests.support.conftest import running_stack


async def test_splitting_a_refund_does_not_avoid_approval(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
) -> None:
    environ = {"REFUND_APPROVAL_THRESHOLD": "100"}
    async with running_stack(temporal_env, task_queue, tmp_path, environ) as stack:
        conversation = await stack.start()
        first = await conversation.send("Refund $60 on ORD-10057 please")
        assert first.status == "completed", first.error
        # 60 + 60 is above the threshold of 100 on that order: this one asks an operator.
        second = await conversation.send("And another refund of $60 on ORD-10057")
        assert second.status == "awaiting_approval", second.error
        [pending] = second.pending_approvals
        assert pending.tool == "issue_refund"
        assert [cents for _, cents in await stack.refunds("ORD-10057")] == [6000]
        await conversation.reject(pending.id, operator="ops", reason="split refund")
        # Another order has its own allowance.
        other = await conversation.send("Refund $60 on ORD-10042 please")
        assert other.status == "completed", other.error
        assert [cents for _, cents in await stack.refunds("ORD-10042")] == [6000]


async def test_an_edited_decimal_amount_is_not_paid_past_the_cap(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
) -> None:
    environ = {"REFUND_APPROVAL_THRESHOLD": "100", "REFUND_HARD_CAP": "200"}
    async with running_stack(temporal_env, task_queue, tmp_path, environ) as stack:
        conversation = await stack.start()
        waiting = await conversation.send("Refund $150 on ORD-10042 please")
        assert waiting.status == "awaiting_approval", waiting.error
        [pending] = waiting.pending_approvals
        request = json.loads(pending.arguments)["request"]
        edited = {"request": {**request, "refund_key": None, "amount_cents": 25000.0}}
        # $250 written as a decimal: the cap's guardrail cannot read it, so nothing may read
        # it as a number. Once, pydantic made it 25000 and the store paid it. The workflow
        # refuses such an edit against the tool's schema before the tool could see it.
        with pytest.raises(ConversationRefused) as refused:
            await conversation.approve(pending.id, operator="ops", arguments=edited)
        assert "request/amount_cents: 25000.0 is not of type 'integer'" in str(refused.value)
        assert await stack.refunds("ORD-10042") == []


async def test_a_start_input_with_a_refund_tally_is_refused(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
) -> None:
    # A negative tally would lift the per-order threshold: only the conversation writes it.
    async with running_stack(temporal_env, task_queue, tmp_path) as stack:
        context = {
            "customer_id": "CUST-1001",
            "refunds_without_approval": {"ORD-10057": {"forged": -(10**9)}},
        }
        _, cause = await stack.refused_start(context)
        assert "refunds_without_approval" in cause.message
