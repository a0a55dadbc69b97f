"""Refund bookkeeping: idempotency keys, the amount checks, and the guarded write."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity

from ._convert import refund_result
from ._messages import RefundRequest, RefundResult
from ._money import format_money
from ._schema import Order, Refund
from ._validation import invalid


def check_refund_amount(order: Order, amount: int, currency: str) -> None:
    """Raise unless `amount` in `currency` can still be refunded on `order`."""
    if currency != order.currency:
        raise invalid(
            f"Order {order.id} was paid in {order.currency}; refund it in {order.currency}, "
            f"not {currency}."
        )
    total = format_money(order.total_cents, order.currency)
    requested = format_money(amount, order.currency)
    if amount > order.total_cents:
        raise invalid(
            f"A refund of {requested} is more than order {order.id}'s total of {total}; a "
            "refund cannot exceed what the customer paid."
        )
    remaining = order.total_cents - order.refunded_cents
    if amount > remaining:
        refunded = format_money(order.refunded_cents, order.currency)
        left = format_money(remaining, order.currency)
        raise invalid(
            f"A refund of {requested} on order {order.id} is too much: {total} was paid and "
            f"{refunded} already refunded, so at most {left} can still be refunded."
        )


async def find_replay(
    session: AsyncSession, key: str, customer_id: str, order_id: str, request: RefundRequest
) -> RefundResult | None:
    """The refund already recorded under `key` if it is this same request, else None or raise."""
    row = (
        (
            await session.execute(
                select(Refund, Order.customer_id, Order.total_cents, Order.refunded_cents)
                .join(Order, Order.id == Refund.order_id)
                .where(Refund.refund_key == key)
            )
        )
        .tuples()
        .first()
    )
    if row is None:
        return None
    refund, owner, total, refunded = row
    if owner != customer_id:
        # Say nothing about another customer's refund.
        raise invalid(f"refund_key {key!r} is already in use; leave refund_key null.")
    if (refund.order_id, refund.amount_cents) != (order_id, request.amount_cents):
        raise invalid(
            f"refund_key {key!r} was already used for refund {refund.public_id} of "
            f"{format_money(refund.amount_cents, refund.currency)} on order {refund.order_id}; "
            "use another key, or null, for a different refund."
        )
    return refund_result(refund, remaining_cents=total - refunded, already_processed=True)


async def record_refund(
    session: AsyncSession,
    order: Order,
    key: str,
    request: RefundRequest,
    reason: str,
    now: datetime,
) -> RefundResult:
    """Add the refund and raise the order's refunded total, never beyond what was paid."""
    amount = request.amount_cents
    # The condition makes the cap hold even when two refunds for one order race.
    refunded_now = (
        await session.execute(
            update(Order)
            .where(Order.id == order.id, Order.refunded_cents + amount <= Order.total_cents)
            .values(refunded_cents=Order.refunded_cents + amount)
            .returning(Order.refunded_cents)
            .execution_options(synchronize_session=False)
        )
    ).scalar_one_or_none()
    if refunded_now is None:
        # A concurrent refund took what was left: explain with the amounts as they are now.
        await session.refresh(order)
        check_refund_amount(order, amount, order.currency)
        raise invalid(
            f"Other refunds on order {order.id} were issued at the same moment; look the "
            "order up again to see what is left to refund."
        )
    refund = Refund(
        refund_key=key,
        order_id=order.id,
        amount_cents=amount,
        currency=order.currency,
        reason=reason,
        created_at=now,
    )
    session.add(refund)
    await session.flush()
    activity.logger.info("Issued refund %s of %s on %s", refund.public_id, amount, order.id)
    return refund_result(
        refund, remaining_cents=order.total_cents - refunded_now, already_processed=False
    )


def default_refund_key() -> str:
    """A refund key that is the same for every retry of the running activity."""
    # The activity id is stable across retries of one activity execution and the run id tells
    # apart runs that restart activity numbering (continue-as-new), so a retry finds its refund.
    info = activity.info()
    identity = f"{info.workflow_id}\x1f{info.workflow_run_id}\x1f{info.activity_id}"
    return "auto:" + hashlib.sha256(identity.encode()).hexdigest()[:40]
