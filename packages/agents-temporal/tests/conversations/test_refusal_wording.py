"""What an operator is told when deciding an approval that already has a decision."""

from __future__ import annotations

from datetime import UTC, datetime

from agents_temporal._conversation.approval_types import PendingApproval
from agents_temporal._conversation.approvals import already_decided, record_default

NOON = datetime(2025, 1, 2, 12, tzinfo=UTC)


def approval() -> PendingApproval:
    return PendingApproval(
        id="approval-1",
        call_id="call-1",
        tool="issue_refund",
        arguments="{}",
        agent="Refunds",
        turn=1,
        requested_at=NOON,
    )


def test_deciding_an_expired_approval_says_it_expired_and_when() -> None:
    record = record_default(approval(), "timeout", "Nobody approved it in time.", NOON)
    message = already_decided(record).message
    assert message == (
        "Approval 'approval-1' (issue_refund) expired at 2025-01-02T12:00:00+00:00: nobody "
        "decided it in time, so it was rejected automatically (recorded as 'system:timeout')."
    )


def test_deciding_an_approval_of_a_closed_conversation_says_why() -> None:
    record = record_default(approval(), "closed", "Closed.", NOON)
    message = already_decided(record).message
    assert message.startswith("Approval 'approval-1' (issue_refund) was already rejected by ")
    assert message.endswith("(the conversation was closed).")
