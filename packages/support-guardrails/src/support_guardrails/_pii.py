"""The PII output guardrail: pure code, no model, so it is cheap and deterministic."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from typing import Any, Final

from agents import Agent, GuardrailFunctionOutput, OutputGuardrail, RunContextWrapper
from agents import output_guardrail as _output_guardrail
from pydantic import BaseModel, ConfigDict

from support_tools import STORE_SUPPORT_EMAIL, SupportContext

# Runs of ASCII digits joined by single spaces or dashes, as card numbers are written.
_DIGIT_RUN: Final = re.compile(r"[0-9]+(?:[ -][0-9]+)*")
_SEPARATOR: Final = re.compile(r"[ -]")
_EMAIL: Final = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_CARD_MIN: Final = 13
_CARD_MAX: Final = 19


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn checksum that payment card numbers carry."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def find_card_numbers(text: str) -> list[str]:
    """Payment card numbers in `text`: Luhn-valid runs of 13 to 19 digits.

    Digits may be grouped with single spaces or dashes ("4111 1111 1111 1111"). Within a
    longer run of groups, any consecutive groups that form a card number count, so a card
    number next to another number is still found; a single unbroken run of more than 19 digits
    (a tracking or reference number) is not a card number.

    Returns:
        The card numbers found, digits only, in order of appearance, without repeats.
    """
    found: dict[str, None] = {}
    for run in _DIGIT_RUN.finditer(text):
        groups = _SEPARATOR.split(run.group())
        start = 0
        while start < len(groups):
            digits = ""
            next_start = start + 1
            for end in range(start, len(groups)):
                digits += groups[end]
                if len(digits) > _CARD_MAX:
                    break
                if len(digits) >= _CARD_MIN and luhn_valid(digits):
                    found.setdefault(digits, None)
                    next_start = end + 1
                    break
            start = next_start
    return list(found)


def find_emails(text: str) -> list[str]:
    """Email addresses in `text`, in order of appearance, without repeats (case-insensitive)."""
    found: dict[str, str] = {}
    for match in _EMAIL.finditer(text):
        found.setdefault(match.group().casefold(), match.group())
    return list(found.values())


def _mask_card(digits: str) -> str:
    return f"card ending {digits[-4:]}"


def _mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _output_text(output: object) -> str:
    if isinstance(output, str):
        return output
    if isinstance(output, BaseModel):
        return output.model_dump_json()
    if dataclasses.is_dataclass(output) and not isinstance(output, type):
        return json.dumps(dataclasses.asdict(output), default=str)
    return str(output)


class PiiFindings(BaseModel):
    """What the PII guardrail found, the guardrail's `output_info` (masked, safe to show)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    card_numbers: list[str]
    """Masked card numbers found, like 'card ending 1111'."""

    emails: list[str]
    """Masked email addresses that are neither the customer's nor allowed, like 'j***@x.com'."""

    reasoning: str
    """One sentence for people reviewing the result."""


def make_pii_guardrail(
    *, allowed_emails: Iterable[str] = (STORE_SUPPORT_EMAIL,), name: str = "pii"
) -> OutputGuardrail[Any]:
    """An output guardrail that trips when an answer contains a card number or a stranger's email.

    The customer's own address (`SupportContext.customer_email`) and `allowed_emails` may
    appear. When the run context is not a `SupportContext`, no customer address is known and
    only `allowed_emails` pass. Its `output_info` is a `PiiFindings`.

    Args:
        allowed_emails: Addresses that may always appear, such as the store's support address.
        name: The guardrail's name in traces and results.
    """
    allowed = frozenset(address.casefold() for address in allowed_emails)

    @_output_guardrail(name=name)
    def pii(ctx: RunContextWrapper[Any], agent: Agent[Any], output: Any) -> GuardrailFunctionOutput:
        text = _output_text(output)
        permitted = set(allowed)
        if isinstance(ctx.context, SupportContext) and ctx.context.customer_email:
            permitted.add(ctx.context.customer_email.casefold())
        cards = find_card_numbers(text)
        emails = [address for address in find_emails(text) if address.casefold() not in permitted]
        problems: list[str] = []
        if cards:
            problems.append(f"{len(cards)} payment card number(s)")
        if emails:
            problems.append(f"{len(emails)} email address(es) other than the customer's")
        reasoning = (
            f"The answer contains {' and '.join(problems)}."
            if problems
            else "No card numbers and no email addresses other than the customer's."
        )
        findings = PiiFindings(
            card_numbers=[_mask_card(card) for card in cards],
            emails=[_mask_email(address) for address in emails],
            reasoning=reasoning,
        )
        return GuardrailFunctionOutput(output_info=findings, tripwire_triggered=bool(problems))

    return pii


pii_guardrail: Final = make_pii_guardrail()
"""The PII guardrail with the store's support address allowed."""
