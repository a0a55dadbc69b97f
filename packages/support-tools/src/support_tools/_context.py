"""The run context shared by the support agents, their tools and their guardrails."""

from __future__ import annotations

from dataclasses import dataclass, field

from agents import RunContextWrapper, function_tool

from ._messages import CustomerProfile
from ._validation import canonical_order_id

_MAX_REMEMBERED_ORDERS = 10


@dataclass
class SupportContext:
    """Who the conversation is with and what it is about.

    A plain dataclass of strings so that it serializes with any Temporal payload converter: it
    lives in workflow state and travels to activities. Function tools running in the workflow
    may change it; activities only ever see a copy.

    Example:
        ```python
        context = SupportContext.for_customer(profile)
        result = await Runner.run(triage_agent, "Where is my order?", context=context)
        ```
    """

    customer_id: str
    """The signed-in customer, like 'CUST-1001'. Tools act for this customer only."""

    customer_name: str | None = None
    """The customer's full name, for greeting them."""

    customer_email: str | None = None
    """The customer's own email address: the one address agents may repeat back."""

    current_order_id: str | None = None
    """The order the conversation is about, once one has been looked up or named."""

    recent_order_ids: list[str] = field(default_factory=lambda: list[str]())
    """Orders discussed in this conversation, most recent last (at most ten)."""

    refund_approval_threshold_cents: int | None = None
    """This conversation's refund approval threshold, fixed when it starts (None: not yet)."""

    refund_hard_cap_cents: int | None = None
    """This conversation's largest allowed refund, fixed when it starts (None: not yet)."""

    refunds_without_approval: dict[str, dict[str, int]] = field(
        default_factory=lambda: dict[str, dict[str, int]]()
    )
    """Refunds let through without an operator: order id -> tool call id -> cents.

    Written only by the refund approval policy, in workflow code; a conversation's start input
    must leave it empty (the support workflow refuses one that does not).
    """

    @classmethod
    def for_customer(cls, profile: CustomerProfile) -> SupportContext:
        """A fresh context for the customer of `profile` (from the `get_customer` activity)."""
        return cls(
            customer_id=profile.customer_id,
            customer_name=profile.name,
            customer_email=profile.email,
        )

    def remember_order(self, order_id: str) -> bool:
        """Make `order_id` the current order; return False (changing nothing) if it is malformed.

        Call it when an order has been looked up, tracked or refunded.
        """
        canonical = canonical_order_id(order_id)
        if canonical is None:
            return False
        self.current_order_id = canonical
        if canonical in self.recent_order_ids:
            self.recent_order_ids.remove(canonical)
        self.recent_order_ids.append(canonical)
        del self.recent_order_ids[:-_MAX_REMEMBERED_ORDERS]
        return True

    def allow_refund_without_approval(
        self, order_id: str, call_id: str, amount_cents: int, *, threshold_cents: int
    ) -> bool:
        """Whether a refund on ``order_id`` may go without approval; if so, count it.

        It may when the refunds on that order already let through, plus this one, stay within
        ``threshold_cents``. A call already counted (the run may ask about one call more than
        once) keeps its answer and is not counted twice.
        """
        allowed = self.refunds_without_approval.setdefault(order_id, {})
        if call_id in allowed:
            return True
        if sum(allowed.values()) + amount_cents > threshold_cents:
            if not allowed:
                del self.refunds_without_approval[order_id]
            return False
        allowed[call_id] = amount_cents
        return True

    def describe(self) -> str:
        """A short description for agent instructions, e.g. to build dynamic instructions."""
        who = self.customer_name or "unknown name"
        parts = [f"Customer: {who} (customer id {self.customer_id})."]
        if self.customer_email:
            parts.append(f"Email on file: {self.customer_email}.")
        if self.current_order_id:
            parts.append(f"Current order: {self.current_order_id}.")
        else:
            parts.append("No order selected yet.")
        return " ".join(parts)


@function_tool
def set_current_order(ctx: RunContextWrapper[SupportContext], order_id: str) -> str:
    """Remember which order the conversation is about, so that every agent can refer to it.

    This does not check that the order exists; look it up to see its details.

    Args:
        ctx: The run context.
        order_id: The order id, like 'ORD-10042'.
    """
    if not ctx.context.remember_order(order_id):
        return (
            f"{order_id!r} is not a valid order id: order ids look like 'ORD-10042'. Nothing was "
            "changed."
        )
    return f"The current order is now {ctx.context.current_order_id}."
