"""Money as integer cents: the one representation used by the database, tools and guardrails."""

from __future__ import annotations

from typing import Final

_SYMBOLS: Final = {"USD": "$", "EUR": "€", "GBP": "£"}


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
