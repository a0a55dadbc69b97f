"""The return-window calculator: pure date arithmetic, so it runs as a workflow function tool."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from agents import RunContextWrapper, function_tool
from agents.tool import default_tool_error_function

from ._articles import RETURN_WINDOW_DAYS


@dataclass(frozen=True)
class ReturnWindow:
    """Whether a delivered order can still be returned."""

    eligible: bool
    """True while the return window is open (the last day included)."""

    delivered_on: str
    """ISO date of delivery."""

    last_day: str
    """ISO date of the last day a return can be started."""

    days_left: int
    """Days left after today to start a return; 0 on the last day and when closed."""

    explanation: str
    """One sentence to base the answer to the customer on."""


def return_window(delivered_on: date, as_of: date) -> ReturnWindow:
    """Work out the return window of an order delivered on `delivered_on`, seen on `as_of`.

    Args:
        delivered_on: The delivery date.
        as_of: Today's date.

    Raises:
        ValueError: `as_of` is before `delivered_on`.
    """
    if as_of < delivered_on:
        raise ValueError(
            f"as_of ({as_of.isoformat()}) is before delivered_on ({delivered_on.isoformat()}); "
            "pass the delivery date and today's date from lookup_order"
        )
    last_day = delivered_on + timedelta(days=RETURN_WINDOW_DAYS)
    eligible = as_of <= last_day
    days_left = max((last_day - as_of).days, 0)
    if eligible:
        remaining = "today is the last day" if days_left == 0 else f"{days_left} days left"
        explanation = (
            f"Delivered on {delivered_on.isoformat()}, so it can be returned until "
            f"{last_day.isoformat()} ({remaining})."
        )
    else:
        explanation = (
            f"Delivered on {delivered_on.isoformat()}; the {RETURN_WINDOW_DAYS}-day return window "
            f"closed on {last_day.isoformat()}. Defective items may still be covered by the "
            "damaged-items policy or the warranty."
        )
    return ReturnWindow(
        eligible=eligible,
        delivered_on=delivered_on.isoformat(),
        last_day=last_day.isoformat(),
        days_left=days_left,
        explanation=explanation,
    )


def _parse_date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{name} must be an ISO date like '2025-03-14', got {value!r}") from None


def _explain_value_error(ctx: RunContextWrapper[Any], error: Exception) -> str:
    # The SDK hides error details from the model by default; these are written for it.
    if isinstance(error, ValueError):
        return f"The tool could not run: {error}."
    return default_tool_error_function(ctx, error)


@function_tool(failure_error_function=_explain_value_error)
def check_return_window(delivered_on: str, as_of: str) -> ReturnWindow:
    """Check whether a delivered order is still inside the 30-day return window.

    Args:
        delivered_on: ISO date the parcel was delivered: `shipment.delivered_on` from lookup_order.
        as_of: Today's ISO date: `as_of` from lookup_order.
    """
    return return_window(_parse_date(delivered_on, "delivered_on"), _parse_date(as_of, "as_of"))
