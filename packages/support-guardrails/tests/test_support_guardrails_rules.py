from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from agents import Agent, RunContextWrapper
from agents.tool_context import ToolContext
from agents.tool_guardrails import ToolInputGuardrailData
from pydantic import BaseModel

import support_guardrails
from support_guardrails import (
    CustomerScopeCheck,
    PiiFindings,
    RefundLimitCheck,
    customer_scope_guardrail,
    find_card_numbers,
    find_emails,
    luhn_valid,
    make_pii_guardrail,
    make_refund_limit_guardrail,
    pii_guardrail,
)
from support_tools import STORE_SUPPORT_EMAIL, SupportContext

_AGENT = Agent[SupportContext](name="Orders")
_MAYA = SupportContext("CUST-1001", "Maya Chen", "Maya.Chen@example.com")


async def _pii(output: Any, context: object = _MAYA) -> tuple[bool, PiiFindings]:
    result = await pii_guardrail.run(RunContextWrapper(context), _AGENT, output)
    findings = result.output.output_info
    assert isinstance(findings, PiiFindings)
    return result.output.tripwire_triggered, findings


@pytest.mark.parametrize(
    "number",
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "5555-5555-5555-4444",
        "3782 822463 10005",  # Amex, 15 digits
        "4222222222222",  # Visa, 13 digits
        "6011 0009 9013 9424",
    ],
)
def test_luhn_valid_card_numbers_are_found(number: str) -> None:
    digits = number.replace(" ", "").replace("-", "")
    assert luhn_valid(digits)
    assert find_card_numbers(f"Your card {number} was charged.") == [digits]


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1112",  # fails the Luhn check
        "Order ORD-10042, total $278.00, call 555-123-4567.",
        "UPS 1Z84A7E20398127734, FedEx 775120498316, DHL 4823019561, RM482913075GB",
        "Reference 94001118992238576142181234",  # one unbroken run longer than any card
        "4111  1111  1111  1111",  # double spaces: not how card numbers are written
    ],
)
def test_other_numbers_are_not_card_numbers(text: str) -> None:
    assert find_card_numbers(text) == []


def test_a_card_number_next_to_another_number_is_still_found() -> None:
    assert find_card_numbers("order 10042 4111 1111 1111 1111") == ["4111111111111111"]


def test_luhn_rejects_non_digits() -> None:
    assert not luhn_valid("4111-1111-1111-1111")
    assert not luhn_valid("")


async def test_pii_guardrail_trips_on_a_card_number_and_masks_it() -> None:
    tripped, findings = await _pii("I refunded the card 4111-1111-1111-1111 you paid with.")
    assert tripped
    assert findings.card_numbers == ["card ending 1111"]
    assert "4111" not in findings.model_dump_json().replace("card ending 1111", "")
    assert findings.reasoning == "The answer contains 1 payment card number(s)."


async def test_pii_guardrail_lets_a_luhn_invalid_number_through() -> None:
    tripped, findings = await _pii("Your tracking reference is 4111 1111 1111 1112.")
    assert not tripped
    assert findings.card_numbers == []


async def test_pii_guardrail_allows_the_customers_own_email() -> None:
    tripped, _ = await _pii("We sent the label to maya.chen@EXAMPLE.com.")
    assert not tripped
    tripped, _ = await _pii(f"Write to us at {STORE_SUPPORT_EMAIL}.")
    assert not tripped


async def test_pii_guardrail_trips_on_another_customers_email() -> None:
    tripped, findings = await _pii(
        "Liam's address is liam.oconnor@example.com; yours is maya.chen@example.com."
    )
    assert tripped
    assert findings.emails == ["l***@example.com"]
    assert findings.reasoning == (
        "The answer contains 1 email address(es) other than the customer's."
    )


async def test_pii_guardrail_without_a_support_context_allows_no_customer_email() -> None:
    tripped, findings = await _pii("Sent to maya.chen@example.com", context=None)
    assert tripped
    assert findings.emails == ["m***@example.com"]


async def test_pii_guardrail_checks_structured_output() -> None:
    class Answer(BaseModel):
        text: str
        contact: str

    tripped, findings = await _pii(Answer(text="Done", contact="someone@else.org"))
    assert tripped
    assert findings.emails == ["s***@else.org"]


async def test_pii_guardrail_passes_a_clean_answer() -> None:
    tripped, findings = await _pii("Order ORD-10042 ($278.00) was delivered on 2025-03-07.")
    assert not tripped
    assert findings == PiiFindings(
        card_numbers=[],
        emails=[],
        reasoning="No card numbers and no email addresses other than the customer's.",
    )


async def test_pii_guardrail_allow_list_is_configurable() -> None:
    guardrail = make_pii_guardrail(allowed_emails=["Returns@JuniperGoods.example"], name="no_pii")
    result = await guardrail.run(
        RunContextWrapper(_MAYA), _AGENT, f"returns@junipergoods.example or {STORE_SUPPORT_EMAIL}"
    )
    assert result.output.tripwire_triggered
    assert guardrail.get_name() == "no_pii"


def test_find_emails_ignores_case_repeats() -> None:
    assert find_emails("a@x.io, A@X.io and b.c+d@mail.co.uk") == ["a@x.io", "b.c+d@mail.co.uk"]


def _tool_data(arguments: dict[str, Any] | str, context: object = _MAYA) -> ToolInputGuardrailData:
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    tool_context = ToolContext(
        context, tool_name="issue_refund", tool_call_id="call-1", tool_arguments=raw
    )
    return ToolInputGuardrailData(context=tool_context, agent=_AGENT)


def _refund_arguments(amount_cents: object, customer_id: str = "CUST-1001") -> dict[str, Any]:
    return {
        "request": {
            "customer_id": customer_id,
            "order_id": "ORD-10042",
            "amount_cents": amount_cents,
            "currency": "usd",
            "reason": "Broken pole",
            "refund_key": None,
        }
    }


async def test_refund_limit_rejects_a_refund_above_the_cap() -> None:
    guardrail = make_refund_limit_guardrail(50_000)
    output = await guardrail.run(_tool_data(_refund_arguments(50_001)))
    assert output.behavior == {
        "type": "reject_content",
        "message": "Refund refused: $500.01 is above the $500.00 that this assistant may refund "
        "in one go. Do not retry or split the refund. Tell the customer that a member of the "
        "support team will review the request and get back to them.",
    }
    assert output.output_info == RefundLimitCheck(
        amount_cents=50_001,
        limit_cents=50_000,
        allowed=False,
        reasoning="The refund of $500.01 is above the hard limit of $500.00.",
    )


@pytest.mark.parametrize(
    "arguments",
    [
        _refund_arguments(50_000),
        _refund_arguments(1),
        _refund_arguments("lots"),  # malformed: the tool itself rejects it
        {"amount_cents": 20_000, "currency": "GBP"},
        "not json",
    ],
)
async def test_refund_limit_allows_everything_else(arguments: dict[str, Any] | str) -> None:
    output = await make_refund_limit_guardrail(50_000).run(_tool_data(arguments))
    assert output.behavior == {"type": "allow"}
    assert isinstance(output.output_info, RefundLimitCheck)
    assert output.output_info.allowed


def test_refund_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_refund_cents must be positive"):
        make_refund_limit_guardrail(0)


async def test_customer_scope_rejects_another_customer() -> None:
    output = await customer_scope_guardrail.run(
        _tool_data(_refund_arguments(100, customer_id="CUST-1002"))
    )
    assert output.behavior == {
        "type": "reject_content",
        "message": "This conversation is with customer CUST-1001; tools may only act for that "
        "customer. Call the tool with customer_id 'CUST-1001', and do not share other "
        "customers' information.",
    }
    assert isinstance(output.output_info, CustomerScopeCheck)
    assert not output.output_info.allowed


async def test_customer_scope_allows_the_conversations_customer() -> None:
    for customer_id in ("CUST-1001", " cust-1001 "):
        output = await customer_scope_guardrail.run(
            _tool_data(_refund_arguments(100, customer_id=customer_id))
        )
        assert output.behavior == {"type": "allow"}
    no_customer = await customer_scope_guardrail.run(_tool_data({"query": "returns"}))
    assert no_customer.behavior == {"type": "allow"}


async def test_customer_scope_without_a_signed_in_customer_rejects() -> None:
    output = await customer_scope_guardrail.run(_tool_data(_refund_arguments(100), context=None))
    assert output.behavior["type"] == "reject_content"


def test_public_api_is_exactly_all() -> None:
    public = {
        name
        for name, value in vars(support_guardrails).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert set(support_guardrails.__all__) == public
