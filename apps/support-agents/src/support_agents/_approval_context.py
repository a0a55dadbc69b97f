"""Workflow side: what an operator sees on a refund approval, in the store's terms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agents_temporal.workflow import ApprovalContext
from support_tools import OrderDetails, SupportContext, format_money, refund_amount_cents

REFUND_TOOL = "issue_refund"
"""The tool whose approvals get a context."""


def refund_context(
    arguments: Mapping[str, Any], order: OrderDetails, customer: SupportContext
) -> ApprovalContext:
    """The summary and facts of a refund approval: amount, order, refunds so far, limits, customer.

    Args:
        arguments: The call's arguments (the refund request's fields).
        order: The order, as the store has it now.
        customer: The conversation's context (its customer and refund limits).
    """
    currency = order.currency

    def money(cents: int | None) -> str:
        return "not set" if cents is None else format_money(cents, currency)

    amount = refund_amount_cents(arguments)
    who = customer.customer_name or customer.customer_id
    asked = money(amount) if amount is not None else "an unreadable amount"
    summary = f"Refund {asked} of order {order.order_id} ({money(order.total_cents)}) to {who}"
    if amount is not None and amount > order.refundable_cents:
        summary += f": more than the {money(order.refundable_cents)} left to refund"
    threshold, cap = customer.refund_approval_threshold_cents, customer.refund_hard_cap_cents
    return ApprovalContext(
        summary=summary + ".",
        facts={
            "Refund": asked,
            "Order": f"{order.order_id} · {order.status} · placed {order.placed_on}",
            "Order total": money(order.total_cents),
            "Already refunded": money(order.refunded_cents),
            "Left to refund": money(order.refundable_cents),
            "Needs approval above": money(threshold),
            "Hard cap (refused above)": money(cap),
            "Customer": ", ".join(
                part
                for part in (customer.customer_name, customer.customer_id, customer.customer_email)
                if part
            ),
        },
    )
