"""The PII output guardrail: pure code, no model, so it is cheap and deterministic.

It runs in workflow code, where every conversation on the worker shares one interpreter lock
and a task over 2 s fails as a deadlock; so every scan here is linear in the text, and the
guardrail reads at most 200,000 characters of an answer (`make_pii_guardrail(max_chars=...)`).
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
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
# An address is a local part, "@", and a domain ending in a dot and two or more letters. One
# regex for the whole address tries every position inside a long run of letters or digits and
# scans the rest of the run from each: quadratic. Instead a local part may only start where a
# run of its characters starts (the lookbehind), so each run is scanned once, and the domain
# is matched from its "@" alone.
_LOCAL_PART: Final = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@")
_DOMAIN: Final = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_CARD_MIN: Final = 13
_CARD_MAX: Final = 19

_MAX_CHECKED_CHARS: Final = 200_000
"""The longest answer the PII guardrail reads (about 50,000 tokens, beyond any support answer);
a longer one trips it, since what it does not read it cannot vouch for."""


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


_PLAIN: Final = bytes.maketrans(b"0123456789", bytes(range(10)))
_DOUBLED: Final = bytes.maketrans(b"0123456789", bytes([0, 2, 4, 6, 8, 1, 3, 5, 7, 9]))
"""Each digit's Luhn value when doubled (doubled, minus 9 above 9)."""


def _luhn_prefix_sums(digits: str) -> tuple[list[int], list[int]]:
    """Prefix sums that give the Luhn checksum of any stretch of ``digits`` at once.

    The Luhn check doubles every second digit counted from the right, so which digits are
    doubled depends only on the parity of where a stretch ends. For stretches ending at an
    even index, the first list sums the doubled values of even positions and the plain values
    of odd ones; the second list is the other way round. The checksum of ``digits[a:b]`` is
    ``sums[b % 2][b] - sums[b % 2][a]``.
    """
    raw = digits.encode("ascii")
    plain, doubled = raw.translate(_PLAIN), raw.translate(_DOUBLED)
    ending_even, ending_odd = bytearray(doubled), bytearray(plain)
    ending_even[1::2] = plain[1::2]
    ending_odd[1::2] = doubled[1::2]
    return (
        list(itertools.accumulate(ending_even, initial=0)),
        list(itertools.accumulate(ending_odd, initial=0)),
    )


def find_card_numbers(text: str) -> list[str]:
    """Payment card numbers in `text`: Luhn-valid runs of 13 to 19 digits.

    Digits may be grouped with single spaces or dashes ("4111 1111 1111 1111"). Within a
    longer run of groups, any consecutive groups that form a card number count, so a card
    number next to another number is still found; a single unbroken run of more than 19 digits
    (a tracking or reference number) is not a card number.

    A number may start at any group and end at up to seven groups after it, so the checksums
    come from prefix sums (`_luhn_prefix_sums`) rather than from the digits each time: the time
    is linear in `text`, with a small constant, since this runs in workflow code.

    Returns:
        The card numbers found, digits only, in order of appearance, without repeats.
    """
    found: dict[str, None] = {}
    for run in _DIGIT_RUN.finditer(text):
        groups = _SEPARATOR.split(run.group())
        digits = "".join(groups)
        if len(digits) < _CARD_MIN:
            continue
        # Group i is digits[offsets[i]:offsets[i + 1]].
        offsets = list(itertools.accumulate(map(len, groups), initial=0))
        sums = _luhn_prefix_sums(digits)
        count = len(offsets)
        start = 0
        while start < len(groups):
            first = offsets[start]
            longest = first + _CARD_MAX
            next_start = start + 1
            # The first group that makes the number long enough, then the few after it.
            end = bisect.bisect_left(offsets, first + _CARD_MIN)
            while end < count and (stop := offsets[end]) <= longest:
                checksum = sums[stop % 2]
                if (checksum[stop] - checksum[first]) % 10 == 0:
                    found.setdefault(digits[first:stop], None)
                    next_start = end
                    break
                end += 1
            start = next_start
    return list(found)


def find_emails(text: str) -> list[str]:
    r"""Email addresses in `text`, in order of appearance, without repeats (case-insensitive).

    An address is what `[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`
    finds, scanning left to right, but found in time linear in the length of `text`.
    """
    found: dict[str, str] = {}
    taken = 0  # the end of the last address: addresses do not overlap
    for local in _LOCAL_PART.finditer(text):
        at = local.end() - 1
        # A local part cannot reach back into the address before it.
        start = max(local.start(), taken)
        domain = _DOMAIN.match(text, at + 1) if start < at else None
        if domain is None:
            continue
        address = text[start : domain.end()]
        found.setdefault(address.casefold(), address)
        taken = domain.end()
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
    *,
    allowed_emails: Iterable[str] = (STORE_SUPPORT_EMAIL,),
    name: str = "pii",
    max_chars: int = _MAX_CHECKED_CHARS,
) -> OutputGuardrail[Any]:
    """An output guardrail that trips when an answer contains a card number or a stranger's email.

    The customer's own address (`SupportContext.customer_email`) and `allowed_emails` may
    appear. When the run context is not a `SupportContext`, no customer address is known and
    only `allowed_emails` pass. An answer longer than `max_chars` trips it unread. Its
    `output_info` is a `PiiFindings`.

    Args:
        allowed_emails: Addresses that may always appear, such as the store's support address.
        name: The guardrail's name in traces and results.
        max_chars: The longest answer it reads; the work it does grows linearly up to it.
    """
    allowed = frozenset(address.casefold() for address in allowed_emails)

    @_output_guardrail(name=name)
    def pii(ctx: RunContextWrapper[Any], agent: Agent[Any], output: Any) -> GuardrailFunctionOutput:
        text = _output_text(output)
        if len(text) > max_chars:
            reasoning = (
                f"The answer has {len(text):,} characters, more than the {max_chars:,} this check "
                "reads, so it was not shown."
            )
            findings = PiiFindings(card_numbers=[], emails=[], reasoning=reasoning)
            return GuardrailFunctionOutput(output_info=findings, tripwire_triggered=True)
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
