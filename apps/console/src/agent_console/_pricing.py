"""What tokens cost: a small price table per model name, and tokens x price."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from agents_temporal.client import UsageTotals

OFFLINE_MODEL = "offline-demo"
"""The name the console gives the offline demo model (it costs nothing)."""

_MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens."""

    input: Decimal
    """Per million input tokens that were not served from the prompt cache."""

    cached_input: Decimal
    """Per million input tokens served from the prompt cache."""

    output: Decimal
    """Per million output tokens (reasoning tokens included)."""


def _price(input: str, cached: str, output: str) -> Price:
    return Price(Decimal(input), Decimal(cached), Decimal(output))


PRICES: dict[str, Price] = {
    OFFLINE_MODEL: _price("0", "0", "0"),
    "gpt-5": _price("1.25", "0.125", "10.00"),
    "gpt-5-mini": _price("0.25", "0.025", "2.00"),
    "gpt-5-nano": _price("0.05", "0.005", "0.40"),
    "gpt-4.1": _price("2.00", "0.50", "8.00"),
    "gpt-4.1-mini": _price("0.40", "0.10", "1.60"),
    "gpt-4.1-nano": _price("0.10", "0.025", "0.40"),
    "gpt-4o": _price("2.50", "1.25", "10.00"),
    "gpt-4o-mini": _price("0.15", "0.075", "0.60"),
    "o4-mini": _price("1.10", "0.275", "4.40"),
    "o3": _price("2.00", "0.50", "8.00"),
    "claude-sonnet-4-5": _price("3.00", "0.30", "15.00"),
    "claude-haiku-4-5": _price("1.00", "0.10", "5.00"),
    "gemini-2.5-flash": _price("0.30", "0.075", "2.50"),
    "gemini-2.5-pro": _price("1.25", "0.31", "10.00"),
}
"""List prices the console knows, by model name (a snapshot: edit it to match your contract)."""


def price_for(model: str | None, prices: dict[str, Price] | None = None) -> Price | None:
    """The price of ``model``, or None when it is unknown.

    ``litellm/<provider>/<model>`` names and ``openai/<model>`` names are looked up by their
    last part, so ``litellm/anthropic/claude-sonnet-4-5`` costs what ``claude-sonnet-4-5`` does.
    """
    if not model:
        return None
    table = PRICES if prices is None else prices
    if model in table:
        return table[model]
    return table.get(model.rsplit("/", 1)[-1])


def cost_of(usage: UsageTotals, model: str | None) -> Decimal | None:
    """What ``usage`` cost in US dollars at ``model``'s price; None for an unknown model."""
    price = price_for(model)
    if price is None:
        return None
    cached = min(usage.cached_input_tokens, usage.input_tokens)
    fresh = usage.input_tokens - cached
    total = fresh * price.input + cached * price.cached_input + usage.output_tokens * price.output
    return total / _MILLION


def format_cost(cost: Decimal | None) -> str:
    """``$0.0123`` style text, or ``unknown``."""
    if cost is None:
        return "unknown"
    if cost == 0:
        return "$0.00"
    places = Decimal("0.0001") if cost < Decimal("0.01") else Decimal("0.01")
    return f"${cost.quantize(places, rounding=ROUND_HALF_UP)}"


def sum_costs(costs: list[Decimal | None]) -> Decimal | None:
    """The sum, or None when any part is unknown (a partial sum would understate it)."""
    total = Decimal(0)
    for cost in costs:
        if cost is None:
            return None
        total += cost
    return total
