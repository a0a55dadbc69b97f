"""Conversation plans over the seeded store, and the database state they must leave behind.

Each planned conversation asks for one refund on one order of its own customer, tagged with a
ticket that ends up in the refund's reason; that tag is how a refund row is traced back to the
conversation that asked for it. Orders and amounts come from the store as the worker seeded
it, so the plans always fit what can still be refunded.
"""

from __future__ import annotations

import random  # noqa: TID251 - seeded test data and fault schedules, never in a workflow
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from support_tools import format_money

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
APPROVAL_THRESHOLD_CENTS = 10_000
"""The worker's default REFUND_APPROVAL_THRESHOLD ($100) in cents."""


@dataclass(frozen=True)
class StoreOrder:
    """An order as the store has it before the conversations run."""

    order_id: str
    customer_id: str
    customer_name: str
    customer_email: str
    currency: str
    refundable_cents: int
    refunded_cents: int


@dataclass(frozen=True)
class RefundRow:
    """One refund row the conversations added."""

    row_id: int
    refund_key: str
    order_id: str
    amount_cents: int
    reason: str


@dataclass(frozen=True)
class StoreSnapshot:
    """The store's orders, refunded totals and refund rows at one moment."""

    orders: dict[str, StoreOrder]
    refunds: list[RefundRow]

    def refund_ids(self) -> set[int]:
        return {row.row_id for row in self.refunds}


@dataclass(frozen=True)
class ConversationPlan:
    """One conversation: optionally ask where the order is, then ask for a refund on it."""

    workflow_id: str
    order: StoreOrder
    amount_cents: int
    ticket: str
    ask_first: bool

    @property
    def needs_approval(self) -> bool:
        return self.amount_cents > APPROVAL_THRESHOLD_CENTS

    @property
    def context(self) -> dict[str, Any]:
        """The conversation's run context: the order's customer is the one signed in."""
        return {
            "customer_id": self.order.customer_id,
            "customer_name": self.order.customer_name,
            "customer_email": self.order.customer_email,
        }

    @property
    def amount_display(self) -> str:
        return format_money(self.amount_cents, self.order.currency)

    def messages(self) -> list[str]:
        """The user messages, one per turn."""
        whole, cents = divmod(self.amount_cents, 100)
        amount = f"{_SYMBOLS[self.order.currency]}{whole}.{cents:02d}"
        # No "where"/"policy" words in the refund message: the offline model would route it
        # elsewhere. The ticket makes the refund's reason unique to this conversation.
        refund = f"I want a refund of {amount} on order {self.order.order_id}, ticket {self.ticket}"
        if self.ask_first:
            return [f"Where is my order {self.order.order_id}?", refund]
        return [refund]


def plan_conversations(
    store: StoreSnapshot,
    rng: random.Random,
    count: int,
    *,
    prefix: str,
    approval_share: float = 0.0,
    ask_first: float = 0.5,
) -> list[ConversationPlan]:
    """Plan ``count`` conversations; about ``approval_share`` of them need an approval.

    Each refund goes to an order that still has that much left to refund (a large one falls
    back to a small one when none has), so every planned refund must succeed.
    """
    left = {o.order_id: o.refundable_cents for o in store.orders.values() if o.refundable_cents}
    orders = sorted(left)
    plans: list[ConversationPlan] = []
    for index in range(count):
        start = rng.randrange(len(orders))
        candidates = [orders[(start + k) % len(orders)] for k in range(len(orders))]
        amounts = [rng.randint(100, 300)]
        if rng.random() < approval_share:
            amounts.insert(0, rng.randint(APPROVAL_THRESHOLD_CENTS + 1, 12_000))
        fitting = [(a, o) for a in amounts for o in candidates if left[o] >= a]
        if not fitting:
            raise ValueError(f"the store has too little left to refund for {count} plans")
        amount, order_id = fitting[0]
        left[order_id] -= amount
        plans.append(
            ConversationPlan(
                workflow_id=f"{prefix}-{index:03d}",
                order=store.orders[order_id],
                amount_cents=amount,
                ticket=f"{prefix}-T{index:03d}",
                ask_first=rng.random() < ask_first,
            )
        )
    return plans


async def read_store(database_url: str) -> StoreSnapshot:
    """Read the orders (with their customers) and every refund row."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            orders = await connection.execute(
                text(
                    "SELECT o.id, o.customer_id, c.name, c.email, o.currency, "
                    "o.total_cents - o.refunded_cents, o.refunded_cents "
                    "FROM orders o JOIN customers c ON c.id = o.customer_id"
                )
            )
            refunds = await connection.execute(
                text("SELECT id, refund_key, order_id, amount_cents, reason FROM refunds")
            )
            return StoreSnapshot(
                orders={
                    str(r[0]): StoreOrder(
                        str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), int(r[5]), int(r[6])
                    )
                    for r in orders
                },
                refunds=[
                    RefundRow(int(r[0]), str(r[1]), str(r[2]), int(r[3]), str(r[4]))
                    for r in refunds
                ],
            )
    finally:
        await engine.dispose()


def refund_problems(
    before: StoreSnapshot, after: StoreSnapshot, plans: list[ConversationPlan]
) -> list[str]:
    """Every way the store differs from "each planned refund exactly once, nothing else"."""
    problems: list[str] = []
    old = before.refund_ids()
    new_rows = [row for row in after.refunds if row.row_id not in old]
    keys = Counter(row.refund_key for row in new_rows)
    problems += [f"refund key {key!r} used {n} times" for key, n in keys.items() if n > 1]
    by_ticket: dict[str, list[RefundRow]] = {}
    for row in new_rows:
        tickets = [p.ticket for p in plans if row.reason.endswith(f"ticket {p.ticket}")]
        if len(tickets) != 1:
            problems.append(f"refund row {row} matches no planned conversation")
            continue
        by_ticket.setdefault(tickets[0], []).append(row)
    for plan in plans:
        rows = by_ticket.get(plan.ticket, [])
        if [(r.order_id, r.amount_cents) for r in rows] != [
            (plan.order.order_id, plan.amount_cents)
        ]:
            problems.append(
                f"{plan.workflow_id}: expected one refund of {plan.amount_cents} on "
                f"{plan.order.order_id}, found {[(r.order_id, r.amount_cents) for r in rows]}"
            )
    for order_id, order in after.orders.items():
        planned = sum(p.amount_cents for p in plans if p.order.order_id == order_id)
        expected = before.orders[order_id].refunded_cents + planned
        if order.refunded_cents != expected:
            problems.append(
                f"order {order_id} has refunded_cents={order.refunded_cents}, expected {expected}"
            )
    return problems
