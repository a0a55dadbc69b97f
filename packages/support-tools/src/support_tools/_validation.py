"""Argument checks whose failures the model (and a person reading the log) can act on.

Every failure is a non-retryable `ApplicationError`: retrying a bad argument cannot succeed,
and the tool wrapper hands non-retryable errors back to the model as the tool's output.
"""

from __future__ import annotations

import re
from typing import Final

from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from ._messages import ShippingAddress

INVALID_TOOL_ARGUMENT: Final = "InvalidToolArgument"
"""`ApplicationError.type` of an argument the model should correct."""

NOT_FOUND: Final = "NotFound"
"""`ApplicationError.type` of an order or customer that does not exist for this customer."""

NOT_ALLOWED: Final = "NotAllowed"
"""`ApplicationError.type` of a valid request that store policy refuses (e.g. the parcel left)."""

_ORDER_ID: Final = re.compile(r"ORD-[0-9]{5}")
_CUSTOMER_ID: Final = re.compile(r"CUST-[0-9]{4}")
_CURRENCY: Final = re.compile(r"[A-Z]{3}")
_COUNTRY: Final = re.compile(r"[A-Z]{2}")
_POSTAL_CODE: Final = re.compile(r"[A-Z0-9][A-Z0-9 -]{1,10}[A-Z0-9]")
_MAX_REFUND_KEY: Final = 200
_MAX_REASON: Final = 500
_MAX_SHOWN: Final = 40


def store_error(message: str, error_type: str) -> ApplicationError:
    """Build the non-retryable error the store tools raise.

    Args:
        message: What went wrong and what to do, for the model and for people.
        error_type: One of `INVALID_TOOL_ARGUMENT`, `NOT_FOUND`, `NOT_ALLOWED`.
    """
    # BENIGN keeps these expected outcomes out of error logs and failure metrics.
    return ApplicationError(
        message,
        type=error_type,
        non_retryable=True,
        category=ApplicationErrorCategory.BENIGN,
    )


def invalid(message: str) -> ApplicationError:
    """An `InvalidToolArgument` error with `message`."""
    return store_error(message, INVALID_TOOL_ARGUMENT)


def _shown(value: str) -> str:
    """`value` quoted for a message, cut short: a refusal need not repeat a huge argument."""
    if len(value) <= _MAX_SHOWN:
        return repr(value)
    return f"{value[:_MAX_SHOWN]!r}... ({len(value):,} characters)"


def canonical_order_id(value: str) -> str | None:
    """The order id in canonical form (`ORD-` and five digits), or None if it is not one."""
    candidate = value.strip().upper()
    return candidate if _ORDER_ID.fullmatch(candidate) is not None else None


def parse_order_id(value: str) -> str:
    """Return the canonical order id or raise `InvalidToolArgument`."""
    order_id = canonical_order_id(value)
    if order_id is None:
        raise invalid(
            f"{_shown(value)} is not a valid order id: order ids look like 'ORD-10042' "
            "(ORD- followed by five digits). Ask the customer to check the order confirmation "
            "email, or list their recent orders."
        )
    return order_id


def parse_customer_id(value: str) -> str:
    """Return the canonical customer id (`CUST-` and four digits) or raise."""
    candidate = value.strip().upper()
    if _CUSTOMER_ID.fullmatch(candidate) is None:
        raise invalid(
            f"{_shown(value)} is not a valid customer id: customer ids look like 'CUST-1001'. "
            "Use the customer id of this conversation."
        )
    return candidate


def parse_currency(value: str) -> str:
    """Return an upper-case ISO 4217 code or raise."""
    candidate = value.strip().upper()
    if _CURRENCY.fullmatch(candidate) is None:
        raise invalid(
            f"{_shown(value)} is not an ISO 4217 currency code: use three letters such as 'USD'."
        )
    return candidate


def parse_limit(value: int | None, *, default: int, maximum: int) -> int:
    """Return `value` (or `default` for None) if it is between 1 and `maximum`, else raise."""
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise invalid(
            f"limit must be between 1 and {maximum} (got {value}); use null for {default}."
        )
    return value


def parse_reason(value: str) -> str:
    """Return the stripped refund reason if it says something and is not too long."""
    reason = " ".join(value.split())
    if len(reason) < 3:
        raise invalid("Give a short reason for the refund, e.g. 'Item arrived damaged'.")
    if len(reason) > _MAX_REASON:
        raise invalid(
            f"The refund reason is {len(reason)} characters; keep it under {_MAX_REASON}."
        )
    return reason


def parse_refund_key(value: str) -> str:
    """Return the stripped refund key if it is usable, else raise."""
    key = value.strip()
    if not key or len(key) > _MAX_REFUND_KEY or not key.isprintable():
        raise invalid(
            f"refund_key must be 1 to {_MAX_REFUND_KEY} printable characters; "
            "leave it null to let the store derive one."
        )
    return key


def _optional_text(value: str | None, label: str, *, maximum: int) -> str | None:
    text = " ".join(value.split()) if value is not None else ""
    if not text:
        return None
    if len(text) > maximum:
        raise invalid(
            f"The address {label} is {len(text)} characters long; at most {maximum} fit on a "
            "shipping label. Ask the customer for a shorter form."
        )
    if not text.isprintable():
        raise invalid(f"The address {label} contains characters that cannot be printed.")
    return text


def _required_text(value: str, label: str, *, maximum: int) -> str:
    text = _optional_text(value, label, maximum=maximum)
    if text is None:
        raise invalid(f"The address {label} is empty: ask the customer for it.")
    return text


def parse_address(address: ShippingAddress) -> ShippingAddress:
    """Return the address with whitespace normalized, or raise naming the field to fix."""
    recipient = _required_text(address.recipient, "recipient", maximum=100)
    line1 = _required_text(address.line1, "line1 (street)", maximum=120)
    line2 = _optional_text(address.line2, "line2", maximum=120)
    city = _required_text(address.city, "city", maximum=80)
    region = _optional_text(address.region, "region", maximum=80)
    postal_code = _required_text(address.postal_code, "postal code", maximum=40).upper()
    if _POSTAL_CODE.fullmatch(postal_code) is None:
        raise invalid(
            f"{address.postal_code!r} does not look like a postal code: use 3 to 12 letters, "
            "digits, spaces or dashes."
        )
    country = _required_text(address.country, "country", maximum=60).upper()
    if _COUNTRY.fullmatch(country) is None:
        raise invalid(
            f"{address.country!r} is not a two-letter ISO 3166 country code such as 'US' or 'GB'."
        )
    return ShippingAddress(
        recipient=recipient,
        line1=line1,
        line2=line2,
        city=city,
        region=region,
        postal_code=postal_code,
        country=country,
    )
