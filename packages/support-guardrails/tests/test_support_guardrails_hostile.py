"""The PII guardrail on hostile answers: linear scans, a size budget, the same findings.

It runs in workflow code, so a scan that is quadratic in a long run of letters (the email
regex it had: 4.8 s at 48,000 characters, 15 s at 100,000) froze every conversation on the
worker, and a card check that recomputed every checksum took seconds on a long run of short
digit groups. These tests feed it answers far longer than that under a bound the old scans
could not meet on any machine, and check that it still finds exactly what they did.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from agents import Agent, RunContextWrapper
from hypothesis import given
from hypothesis import strategies as st

from support_guardrails import (
    PiiFindings,
    find_card_numbers,
    find_emails,
    luhn_valid,
    make_pii_guardrail,
)

# The definition of an address the guardrail has always used, as the reference.
_REFERENCE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_MILLION = 1_000_000
_GENEROUS_SECONDS = 10.0
"""Far above what a linear scan of a million characters takes on a loaded machine (well under
a second), far below what a quadratic one takes (hours)."""


def _reference_emails(text: str) -> list[str]:
    found: dict[str, str] = {}
    for match in _REFERENCE.finditer(text):
        found.setdefault(match.group().casefold(), match.group())
    return list(found.values())


_DIGIT_RUN = re.compile(r"[0-9]+(?:[ -][0-9]+)*")


def _reference_cards(text: str) -> list[str]:
    # The card search as it was: every start group, digits joined and checked afresh.
    found: dict[str, None] = {}
    for run in _DIGIT_RUN.finditer(text):
        groups = re.split(r"[ -]", run.group())
        start = 0
        while start < len(groups):
            digits, next_start = "", start + 1
            for end in range(start, len(groups)):
                digits += groups[end]
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and luhn_valid(digits):
                    found.setdefault(digits, None)
                    next_start = end + 1
                    break
            start = next_start
    return list(found)


@given(st.text(alphabet="ab1.@-_%+ xA", max_size=40))
def test_emails_are_what_the_reference_regex_finds(text: str) -> None:
    assert find_emails(text) == _reference_emails(text)


@given(st.text(alphabet="0123456789 -  x", max_size=80))
def test_card_numbers_are_what_the_reference_search_finds(text: str) -> None:
    assert find_card_numbers(text) == _reference_cards(text)


@given(st.lists(st.sampled_from(["4111", "1111", "5555", "4444", "3782", "822463", "10005"])))
def test_grouped_card_numbers_are_what_the_reference_search_finds(groups: list[str]) -> None:
    text = " ".join(groups)
    assert find_card_numbers(text) == _reference_cards(text)


@pytest.mark.parametrize(
    "text",
    [
        "mail a@b.com.x@evil.org now",  # the next address starts inside the run of the last
        "a@b.com@c.org",
        "x.y+tag@sub.example.co.uk, X.Y+TAG@SUB.EXAMPLE.CO.UK",
        "name@host.c0m name@host.com1",
        "@@a@@b.cd@@",
    ],
)
def test_edge_cases_match_the_reference(text: str) -> None:
    assert find_emails(text) == _reference_emails(text)


HOSTILE_TEXTS = {
    "letters": "a" * _MILLION,
    "letters-then-at": "a" * _MILLION + "@",
    "dotted-domain": "a@" + "b." * (_MILLION // 2) + "1",
    "at-runs": "a@b" * (_MILLION // 3),
    "addresses": "a@b.co " * (_MILLION // 7),
    "digits": "1" * _MILLION,
    "digit-groups": "1 " * (_MILLION // 2),
    "dashed-groups": "12-" * (_MILLION // 3),
}


@pytest.mark.parametrize("text", list(HOSTILE_TEXTS.values()), ids=list(HOSTILE_TEXTS))
def test_scans_are_linear_on_a_million_characters(text: str) -> None:
    started = time.monotonic()
    find_emails(text)
    find_card_numbers(text)
    elapsed = time.monotonic() - started
    assert elapsed < _GENEROUS_SECONDS, f"{elapsed:.1f} s for {len(text):,} characters"


async def _check(text: str, **options: Any) -> tuple[bool, PiiFindings]:
    guardrail = make_pii_guardrail(**options)
    result = await guardrail.run(RunContextWrapper(None), Agent[Any](name="Support"), text)
    findings = result.output.output_info
    assert isinstance(findings, PiiFindings)
    return result.output.tripwire_triggered, findings


async def test_a_long_clean_answer_passes() -> None:
    tripped, findings = await _check("x" * 100_000)
    assert not tripped
    assert findings.emails == findings.card_numbers == []


async def test_an_address_at_the_end_of_a_long_answer_is_found() -> None:
    tripped, findings = await _check("x" * 100_000 + " write to liam@example.com")
    assert tripped
    assert findings.emails == ["l***@example.com"]


async def test_an_answer_over_the_budget_trips_unread() -> None:
    tripped, findings = await _check("x" * 1_001, max_chars=1_000)
    assert tripped
    assert findings.reasoning == (
        "The answer has 1,001 characters, more than the 1,000 this check reads, so it was not "
        "shown."
    )
    assert (await _check("x" * 1_000, max_chars=1_000))[0] is False
