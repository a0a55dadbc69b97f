"""The store tools treat hostile strings as data: a clear refusal, and a database left alone.

Every activity is called with SQL injection strings, lookalike unicode and very long values in
each text argument it takes. Each call must end in the store's own non-retryable error (or, for
the help-centre search, a normal result), and the database must hold exactly what it held.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from support_tools import (
    INVALID_TOOL_ARGUMENT,
    NOT_FOUND,
    ArticleSearchResult,
    ChangeShippingAddressRequest,
    CustomerRequest,
    ListOrdersRequest,
    OrderRequest,
    RefundRequest,
    SearchArticlesRequest,
    ShippingAddress,
    StoreActivities,
    StoreDatabase,
)

NOW = datetime(2025, 3, 14, 15, 30, tzinfo=UTC)
CUSTOMER, ORDER = "CUST-1001", "ORD-10042"
"""The demo customer and one of their delivered orders (refundable, $278.00)."""

HOSTILE = [
    "1' OR '1'='1",
    "'; DROP TABLE orders; --",
    f"{ORDER}' OR '1'='1",
    f"{ORDER}; DELETE FROM refunds; --",
    f"{CUSTOMER}' --",
    '" OR ""="',
    "ORD-1004%",
    "ORD-1004_",
    "%",
    "\\",
    "ORD-\uff11\uff10\uff10\uff14\uff12",  # full-width digits
    "\uff23\uff35\uff33\uff34-1001",  # full-width CUST
    f"{ORDER}\u0000",
    f"{ORDER}\u200b",
    f"\u202e{ORDER}",
    "\U0001f600",
    "ORD-" + "1" * 10_000,
    "A" * 100_000,
]
"""Injection strings, lookalikes that must not pass for an id, and values far too long."""

LONGEST_MESSAGE = 600
"""A refusal explains itself in a few sentences, whatever it was sent."""


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[StoreDatabase]:
    database = StoreDatabase.from_url(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    await database.create_schema()
    assert await database.seed(now=NOW)
    try:
        yield database
    finally:
        await database.dispose()


async def contents(database: StoreDatabase) -> dict[str, tuple[int, str]]:
    """Every table with its row count and a digest of all its rows."""
    async with database.engine.connect() as connection:
        tables = (
            await connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            )
        ).scalars()
        found: dict[str, tuple[int, str]] = {}
        for table in list(tables):
            rows = (await connection.execute(text(f'SELECT * FROM "{table}"'))).all()
            digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
            found[table] = (len(rows), digest)
    return found


def _address(value: str) -> ShippingAddress:
    return ShippingAddress(
        recipient=value, line1=value, city=value, postal_code=value, country=value, line2=value
    )


def calls(store: StoreActivities, value: str) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    """Every store activity, with ``value`` in each text argument in turn."""
    env = ActivityEnvironment()

    def run(activity: Callable[[Any], Awaitable[Any]], request: Any) -> Callable[[], Any]:
        return lambda: env.run(activity, request)

    def refund(**fields: str) -> RefundRequest:
        request = RefundRequest(CUSTOMER, ORDER, 1000, "USD", "Item arrived damaged")
        return dataclasses.replace(request, **fields)

    return [
        ("get_customer", run(store.get_customer, CustomerRequest(value))),
        ("lookup_order(order)", run(store.lookup_order, OrderRequest(CUSTOMER, value))),
        ("lookup_order(customer)", run(store.lookup_order, OrderRequest(value, ORDER))),
        ("track_shipment", run(store.track_shipment, OrderRequest(CUSTOMER, value))),
        ("list_recent_orders", run(store.list_recent_orders, ListOrdersRequest(value))),
        (
            "change_shipping_address(order)",
            run(
                store.change_shipping_address,
                ChangeShippingAddressRequest(CUSTOMER, value, _address("Maya Chen")),
            ),
        ),
        (
            "change_shipping_address(address)",
            run(
                store.change_shipping_address,
                ChangeShippingAddressRequest(CUSTOMER, "ORD-10063", _address(value)),
            ),
        ),
        ("issue_refund(order)", run(store.issue_refund, refund(order_id=value))),
        ("issue_refund(customer)", run(store.issue_refund, refund(customer_id=value))),
        ("issue_refund(currency)", run(store.issue_refund, refund(currency=value))),
        ("search_help_centre", run(store.search_help_centre, SearchArticlesRequest(value))),
    ]


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: ascii(v)[:24])
async def test_hostile_arguments_are_refused_and_change_nothing(
    database: StoreDatabase, value: str
) -> None:
    store = StoreActivities(database, clock=lambda: NOW)
    before = await contents(database)
    assert {"customers", "orders", "refunds", "shipments"} <= set(before)
    for name, call in calls(store, value):
        try:
            result = await call()
        except ApplicationError as error:
            assert error.non_retryable, name
            assert error.type in (INVALID_TOOL_ARGUMENT, NOT_FOUND), (name, error.type)
            assert 0 < len(error.message) <= LONGEST_MESSAGE, (name, error.message[:200])
        else:
            # Only a search may answer: the words of an injection string are still words.
            assert isinstance(result, ArticleSearchResult), (name, result)
    assert await contents(database) == before


async def test_injection_text_in_a_refund_is_stored_as_text(database: StoreDatabase) -> None:
    store = StoreActivities(database, clock=lambda: NOW)
    before = await contents(database)
    reason, key = "'; DROP TABLE orders; --", "1' OR '1'='1"
    request = RefundRequest(CUSTOMER, ORDER, 2500, "usd", reason, refund_key=key)
    result = await ActivityEnvironment().run(store.issue_refund, request)
    assert (result.amount_cents, result.already_processed) == (2500, False)
    after = await contents(database)
    # One refund row and the order's refunded total: nothing else changed.
    assert {t for t in after if after[t] != before[t]} == {"refunds", "orders"}
    assert after["refunds"][0] == before["refunds"][0] + 1
    assert after["orders"][0] == before["orders"][0]
    async with database.engine.connect() as connection:
        stored = await connection.execute(
            text("SELECT reason, refund_key FROM refunds WHERE order_id = :o"), {"o": ORDER}
        )
        assert stored.tuples().all() == [(reason, key)]
    # The same key again is the same refund, not a second one.
    again = await ActivityEnvironment().run(store.issue_refund, request)
    assert again.already_processed and again.refund_id == result.refund_id
    assert await contents(database) == after
