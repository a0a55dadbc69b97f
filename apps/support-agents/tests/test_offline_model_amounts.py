"""The offline model reads refund amounts in time linear in the message.

It runs in the model activity, in the worker's process: a quadratic scan of a long number
(about 3 s for 8,000 digits) held the interpreter lock that every workflow on the worker needs.
"""

from __future__ import annotations

import re
import time

import pytest

from support_agents._offline_model import _AMOUNT  # pyright: ignore[reportPrivateUsage]

# The pattern as it was, the reference for what an amount is.
_REFERENCE = re.compile(
    r"(?:(-?)[$£€]\s?(-?\d+(?:\.\d{1,2})?))|(-?\d+(?:\.\d{1,2})?)\s?(?:dollars|usd|eur|gbp)",
    re.I,
)


@pytest.mark.parametrize(
    "message",
    [
        "Refund $25 on ORD-10017",
        "refund -$5.50 please",
        "I want 12.5 dollars back",
        "refund 1.234 dollars",
        "€ 19.99 or 20 EUR",
        "ORD-10017 for 150usd",
        "a refund of 3-4 gbp",
        "no amount here",
    ],
)
def test_amounts_are_what_the_old_pattern_found(message: str) -> None:
    found, reference = _AMOUNT.search(message), _REFERENCE.search(message)
    assert (found and (found.span(), found.groups())) == (
        reference and (reference.span(), reference.groups())
    )


@pytest.mark.parametrize("message", ["1" * 1_000_000, "1." * 500_000, "$" + "9" * 1_000_000])
def test_a_million_digits_are_read_in_linear_time(message: str) -> None:
    started = time.monotonic()
    _AMOUNT.search(message)
    elapsed = time.monotonic() - started
    # A linear scan takes well under a second; the quadratic one took hours at this size.
    assert elapsed < 10.0, f"{elapsed:.1f} s for {len(message):,} characters"
