"""Money as integer cents: the one representation used by the database, tools and guardrails."""

from __future__ import annotations

import re
from typing import Final

_SYMBOLS: Final = {"USD": "$", "EUR": "€", "GBP": "£"}

# Whole units either plain or grouped by thousands with commas, then at most two decimals. ASCII
# digits only, no sign, no exponent, and a bounded length, so reading is linear and an amount
# means one thing: "1,00" (a European 1.00, or a typo for 100?) and "1e3" are refused, not read.
_AMOUNT_TEXT: Final = re.compile(r"([0-9]{1,3}(?:,[0-9]{3}){1,4}|[0-9]{1,15})(?:\.([0-9]{1,2}))?")
_MAX_AMOUNT_TEXT: Final = 40


def parse_amount(text: str) -> int:
    """Read an amount written for people into cents: ``parse_amount("1,234.5") == 123450``.

    Accepts whole units (``25``, ``1,234`` with commas every three digits) and at most two
    decimals (``25.5``, ``25.50``). Refuses everything else rather than guess: signs (so no
    negative zero), exponents (``1e3``), ``NaN`` and infinities, misplaced separators
    (``1,00``, ``1,2345``), more than two decimals (``1.005``), non-ASCII digits, zero and
    surrounding text.

    Raises:
        ValueError: ``text`` is not such an amount; the message says how to write one.
    """
    candidate = text.strip()
    match = _AMOUNT_TEXT.fullmatch(candidate) if len(candidate) <= _MAX_AMOUNT_TEXT else None
    if match is None:
        shown = candidate if len(candidate) <= _MAX_AMOUNT_TEXT else candidate[:20] + "..."
        raise ValueError(
            f"{shown!r} is not an amount: write it like 25, 25.50 or 1,234.50 (digits, commas "
            "between thousands, at most two decimals, no sign)"
        )
    whole, fraction = match.group(1), match.group(2) or ""
    cents = int(whole.replace(",", "")) * 100 + int(fraction.ljust(2, "0"))
    if cents == 0:
        raise ValueError(f"{candidate!r} is zero: an amount must be more than 0.00")
    return cents


def format_money(cents: int, currency: str) -> str:
    """Format an amount of minor units for people, e.g. `format_money(27800, "USD") == "$278.00"`.

    Args:
        cents: The amount in minor units (cents, pence); may be negative.
        currency: ISO 4217 code. USD, EUR and GBP get their symbol; others are written as a
            code suffix. Every currency is assumed to have two decimals, as the store's do.
    """
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    amount = f"{whole:,}.{fraction:02d}"
    symbol = _SYMBOLS.get(currency.upper())
    if symbol is None:
        return f"{sign}{amount} {currency.upper()}"
    return f"{sign}{symbol}{amount}"
