"""Amounts are read strictly, and the refund approval threshold holds per order.

A refund's amount is judged by the approval policy and the refund-limit guardrail from the raw
tool arguments, and paid by the activity from the validated request: if the two read an amount
differently, what was judged is not what runs (an edited ``60000.0`` once paid $600 past a $500
cap the guardrail never saw). And a threshold counted per call is avoided by splitting.
"""

from __future__ import annotations

from typing import Any

import pytest
from agents import RunContextWrapper
from pydantic import TypeAdapter, ValidationError

from support_tools import (
    RefundRequest,
    SupportContext,
    make_refund_approval_policy,
    parse_amount,
    refund_amount_cents,
)

REQUEST = TypeAdapter(RefundRequest)


def refund(amount: Any, order_id: str = "ORD-10057") -> dict[str, Any]:
    return {
        "request": {
            "customer_id": "CUST-1001",
            "order_id": order_id,
            "amount_cents": amount,
            "currency": "USD",
            "reason": "Arrived damaged",
        }
    }


@pytest.mark.parametrize(
    ("text", "cents"),
    [("25", 2500), ("25.5", 2550), ("25.50", 2550), ("1,234.50", 123450), (" 7 ", 700)],
)
def test_amounts_written_for_people_are_read(text: str, cents: int) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    "text",
    [
        "1e3",
        "NaN",
        "inf",
        "1,00",
        "1,2345",
        "-0",
        "-5",
        "+5",
        "0",
        "0.00",
        "1.005",
        "12.",
        ".5",
        "1 000",
        "١٢",  # Arabic-Indic digits
        "25 dollars",
        "9" * 5_000,
        "",
    ],
)
def test_anything_else_is_refused_with_how_to_write_it(text: str) -> None:
    with pytest.raises(ValueError, match=r"is (not an amount|zero)"):
        parse_amount(text)


@pytest.mark.parametrize("amount", [60000.0, "60000", "6e4", float("nan"), True])
def test_a_refund_request_takes_whole_cents_only(amount: Any) -> None:
    # What the policy and the guardrail cannot read as an amount, the tool refuses to run.
    assert refund_amount_cents(refund(amount)) is None
    with pytest.raises(ValidationError):
        REQUEST.validate_python(refund(amount)["request"])


def test_a_whole_number_of_cents_is_what_every_reader_sees() -> None:
    assert refund_amount_cents(refund(60000)) == 60000
    assert REQUEST.validate_python(refund(60000)["request"]).amount_cents == 60000
    assert (
        REQUEST.validate_json(
            '{"customer_id": "CUST-1001", "order_id": "ORD-10057", '
            '"amount_cents": 60000, "currency": "USD", "reason": "x"}'
        ).amount_cents
        == 60000
    )


async def test_the_threshold_is_counted_per_order_across_the_conversation() -> None:
    policy = make_refund_approval_policy(10_000)
    context = SupportContext(customer_id="CUST-1001")
    run = RunContextWrapper(context=context)
    assert not await policy(run, refund(6_000), "call-1")
    # The same call asked about again keeps its answer and is not counted twice.
    assert not await policy(run, refund(6_000), "call-1")
    # A second 60 on the same order would make 120 without an operator: it needs one.
    assert await policy(run, refund(6_000), "call-2")
    assert await policy(run, refund(5_000), "call-3")
    # What still fits under the threshold on that order goes through, once.
    assert not await policy(run, refund(4_000), "call-4")
    assert await policy(run, refund(1), "call-5")
    # Another order has its own allowance.
    assert not await policy(run, refund(9_000, "ORD-10042"), "call-6")
    assert context.refunds_without_approval == {
        "ORD-10057": {"call-1": 6_000, "call-4": 4_000},
        "ORD-10042": {"call-6": 9_000},
    }


async def test_an_unreadable_order_or_amount_needs_approval() -> None:
    policy = make_refund_approval_policy(10_000)
    run = RunContextWrapper(context=SupportContext(customer_id="CUST-1001"))
    assert await policy(run, refund(100, "not an order"), "call-1")
    assert await policy(run, refund(100.0), "call-2")
    assert await policy(run, refund(10_001), "call-3")


async def test_without_a_support_context_the_threshold_is_per_call() -> None:
    policy = make_refund_approval_policy(10_000)
    run = RunContextWrapper(context=None)
    assert not await policy(run, refund(6_000), "call-1")
    assert not await policy(run, refund(6_000), "call-2")
    assert await policy(run, refund(10_001), "call-3")
