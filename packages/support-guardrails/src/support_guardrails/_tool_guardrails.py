"""Tool input guardrails: checks on a tool call's arguments before the tool runs.

They run in the workflow, where the full run context is available, and reject a call with a
message the model reads instead of the tool's result.
"""

from __future__ import annotations

from typing import Any

from agents import (
    ToolGuardrailFunctionOutput,
    ToolInputGuardrail,
    ToolInputGuardrailData,
    tool_input_guardrail,
)
from pydantic import BaseModel, ConfigDict

from support_tools import SupportContext, format_money, refund_amount_cents, request_fields


class RefundLimitCheck(BaseModel):
    """The refund-limit guardrail's `output_info`."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    amount_cents: int | None
    """The refund requested, in cents; None when the call carried no readable amount."""

    limit_cents: int
    """The hard cap, in cents."""

    allowed: bool
    """Whether the call was let through."""

    reasoning: str
    """One sentence for people reviewing the result."""


def make_refund_limit_guardrail(
    max_refund_cents: int, *, name: str = "refund_limit"
) -> ToolInputGuardrail[Any]:
    """A tool input guardrail for the issue_refund tool that refuses refunds above a hard cap.

    The model receives a message instead of the tool's result and is told not to retry. Calls
    without a readable amount pass: the tool itself rejects malformed arguments.

    Args:
        max_refund_cents: The largest refund, in cents, the assistant may issue in one call
            (the support app takes it from its REFUND_HARD_CAP setting).
        name: The guardrail's name in traces and results.

    Example:
        ```python
        refund_tool = activity_as_tool(store.issue_refund, ...)
        refund_tool.tool_input_guardrails = [make_refund_limit_guardrail(50_000)]
        ```
    """
    if max_refund_cents <= 0:
        raise ValueError(f"max_refund_cents must be positive, got {max_refund_cents}")

    @tool_input_guardrail(name=name)
    def refund_limit(data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
        arguments = data.context.tool_arguments
        amount = refund_amount_cents(arguments)
        currency = request_fields(arguments).get("currency")
        code = currency.strip().upper() if isinstance(currency, str) else ""
        limit = format_money(max_refund_cents, code) if code else f"{max_refund_cents} cents"
        if amount is None or amount <= max_refund_cents:
            check = RefundLimitCheck(
                amount_cents=amount,
                limit_cents=max_refund_cents,
                allowed=True,
                reasoning=(
                    "No refund amount to check."
                    if amount is None
                    else f"The refund is within the {limit} limit."
                ),
            )
            return ToolGuardrailFunctionOutput.allow(output_info=check)
        requested = format_money(amount, code) if code else f"{amount} cents"
        message = (
            f"Refund refused: {requested} is above the {limit} that this assistant may refund in "
            "one go. Do not retry or split the refund. Tell the customer that a member of the "
            "support team will review the request and get back to them."
        )
        check = RefundLimitCheck(
            amount_cents=amount,
            limit_cents=max_refund_cents,
            allowed=False,
            reasoning=f"The refund of {requested} is above the hard limit of {limit}.",
        )
        return ToolGuardrailFunctionOutput.reject_content(message=message, output_info=check)

    return refund_limit


class CustomerScopeCheck(BaseModel):
    """The customer-scope guardrail's `output_info`."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    requested_customer_id: str | None
    """The customer id in the tool call, if any."""

    conversation_customer_id: str | None
    """The customer of the conversation, from `SupportContext`."""

    allowed: bool
    """Whether the call was let through."""

    reasoning: str
    """One sentence for people reviewing the result."""


@tool_input_guardrail(name="customer_scope")
def customer_scope_guardrail(data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
    """Reject a store tool call whose `customer_id` is not the conversation's customer.

    The store tools take the customer id as an argument, which the model fills in; this keeps a
    persuaded model from acting on another customer's account. Attach it to every store tool
    that has a `customer_id`. Calls without one pass.
    """
    requested = request_fields(data.context.tool_arguments).get("customer_id")
    context = data.context.context
    expected = context.customer_id if isinstance(context, SupportContext) else None
    if not isinstance(requested, str):
        check = CustomerScopeCheck(
            requested_customer_id=None,
            conversation_customer_id=expected,
            allowed=True,
            reasoning="The tool call names no customer.",
        )
        return ToolGuardrailFunctionOutput.allow(output_info=check)
    if expected is not None and requested.strip().upper() == expected.strip().upper():
        check = CustomerScopeCheck(
            requested_customer_id=requested,
            conversation_customer_id=expected,
            allowed=True,
            reasoning="The tool call is for the conversation's customer.",
        )
        return ToolGuardrailFunctionOutput.allow(output_info=check)
    if expected is None:
        message = "No customer is signed in to this conversation, so account tools cannot be used."
    else:
        message = (
            f"This conversation is with customer {expected}; tools may only act for that "
            f"customer. Call the tool with customer_id {expected!r}, and do not share other "
            "customers' information."
        )
    check = CustomerScopeCheck(
        requested_customer_id=requested,
        conversation_customer_id=expected,
        allowed=False,
        reasoning=f"The tool call names customer {requested!r}, not the conversation's customer.",
    )
    return ToolGuardrailFunctionOutput.reject_content(message=message, output_info=check)
