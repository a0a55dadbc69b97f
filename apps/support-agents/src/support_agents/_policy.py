"""The refund limits a conversation runs under, recorded once when it starts."""

from __future__ import annotations

from dataclasses import dataclass

REFUND_POLICY_ACTIVITY = "support.refund_policy"


@dataclass(frozen=True)
class RefundPolicy:
    """Refund limits in cents of the order's currency."""

    approval_threshold_cents: int
    """Refunds above this need an operator's approval."""

    hard_cap_cents: int
    """Refunds above this are refused outright."""
