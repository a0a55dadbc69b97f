"""The offline model reads refund amounts strictly, in time linear in the message.

It runs in the model activity, in the worker's process: a quadratic scan of a long number
(about 3 s for 8,000 digits) held the interpreter lock that every workflow on the worker needs.
"""

from __future__ import annotations

import time

import pytest

from support_agents._offline_model import (
    _AMOUNT,  # pyright: ignore[reportPrivateUsage]
    requested_cents,
)


@pytest.mark.parametrize(
    ("message", "cents"),
    [
        ("Refund $25 on ORD-10017", 2500),
        ("I want 12.5 dollars back", 1250),
        ("€ 19.99 or 20 EUR", 1999),
        ("ORD-10017 for 150usd", 15000),
        ("refund $1,000.50.", 100050),
        ("no amount here", None),
        ("refund 5 euros", None),
    ],
)
def test_plain_amounts_are_read(message: str, cents: int | None) -> None:
    assert requested_cents(message) == cents


@pytest.mark.parametrize(
    "message",
    [
        "refund -$5.50 please",  # a sign: never a refund of the opposite
        "refund 1.234 dollars",  # once read as 234 dollars
        "refund 1e3 dollars",  # once read as 3 dollars
        "refund $1,00 please",  # once read as $1
        "refund $0 now",
    ],
)
def test_other_amounts_are_refused_not_guessed(message: str) -> None:
    with pytest.raises(ValueError, match=r"is (not an amount|zero)"):
        requested_cents(message)


@pytest.mark.parametrize("message", ["1" * 1_000_000, "1." * 500_000, "$" + "9" * 1_000_000])
def test_a_million_digits_are_read_in_linear_time(message: str) -> None:
    started = time.monotonic()
    _AMOUNT.search(message)
    elapsed = time.monotonic() - started
    # A linear scan takes well under a second; the quadratic one took hours at this size.
    assert elapsed < 10.0, f"{elapsed:.1f} s for {len(message):,} characters"
