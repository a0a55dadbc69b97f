"""Reading tool-call arguments of the store activities, for approval policies and guardrails.

A tool made from an activity method takes one parameter, so the model's arguments arrive
wrapped under the parameter's name: `{"request": {"order_id": ..., "amount_cents": ...}}`.
These helpers accept that shape and the flat one, so they keep working however the tool is
built.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

from agents import RunContextWrapper

from ._context import SupportContext
from ._validation import canonical_order_id

ApprovalPolicy = Callable[[RunContextWrapper[Any], dict[str, Any], str], Awaitable[bool]]
"""The Agents SDK's `needs_approval` callable: (run context, tool arguments, call id) -> bool."""


def request_fields(arguments: Mapping[str, Any] | str) -> Mapping[str, Any]:
    """The request's fields from a store tool call's arguments (a mapping or its JSON text).

    Returns an empty mapping when the arguments are not a JSON object.
    """
    if isinstance(arguments, str):
        try:
            parsed: object = json.loads(arguments)
        except (ValueError, RecursionError):  # not JSON, or nested too deep to read
            return {}
        if not isinstance(parsed, Mapping):
            return {}
        arguments = cast(Mapping[str, Any], parsed)
    if len(arguments) == 1:
        (only,) = arguments.values()
        if isinstance(only, Mapping):
            return cast(Mapping[str, Any], only)
    return arguments


def refund_amount_cents(arguments: Mapping[str, Any] | str) -> int | None:
    """The `amount_cents` of an issue_refund call, or None if it is missing or not an integer."""
    amount = request_fields(arguments).get("amount_cents")
    # bool is an int subclass; a model sending `true` has not asked for 1 cent.
    if isinstance(amount, int) and not isinstance(amount, bool):
        return amount
    return None


def make_refund_approval_policy(threshold_cents: int) -> ApprovalPolicy:
    """A `needs_approval` policy for the issue_refund tool: approve refunds above a threshold.

    Calls whose amount or order cannot be read also need approval: when in doubt, ask a person.
    In a conversation whose run context is a `SupportContext`, the threshold holds per order
    across the conversation, not per call: refunds the policy let through without an operator
    add up, and a call that would take an order's total past the threshold needs approval, so
    splitting a refund into small ones does not avoid it (two refunds of 60 on one order with
    a threshold of 100: the second needs approval). Each call is counted once, by its call id,
    however often the run asks about it.

    Args:
        threshold_cents: Refunds of more than this many cents need approval (the support
            app takes it from its REFUND_APPROVAL_THRESHOLD setting).

    Example:
        ```python
        refund_tool = activity_as_tool(
            store.issue_refund,
            needs_approval=make_refund_approval_policy(10_000),  # above $100
        )
        ```
    """

    async def refund_needs_approval(
        context: RunContextWrapper[Any], arguments: dict[str, Any], call_id: str
    ) -> bool:
        amount = refund_amount_cents(arguments)
        if amount is None or amount > threshold_cents:
            return True
        state = context.context
        if not isinstance(state, SupportContext):
            return False
        order = request_fields(arguments).get("order_id")
        order_id = canonical_order_id(order) if isinstance(order, str) else None
        if order_id is None:
            return True
        return not state.allow_refund_without_approval(
            order_id, call_id, amount, threshold_cents=threshold_cents
        )

    return refund_needs_approval
