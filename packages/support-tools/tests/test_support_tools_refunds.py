from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from support_tools import (
    ChangeShippingAddressRequest,
    OrderRequest,
    RefundRequest,
    RefundResult,
    SearchArticlesRequest,
    ShippingAddress,
    StoreActivities,
    StoreDatabase,
)


def _refund(amount_cents: int = 2500, **changes: str | None) -> RefundRequest:
    fields: dict[str, str | None] = {
        "customer_id": "CUST-1001",
        "order_id": "ORD-10042",
        "currency": "USD",
        "reason": "Tent pole arrived bent",
        "refund_key": "conv-1:call-1",
        **changes,
    }
    return RefundRequest(
        customer_id=fields["customer_id"] or "",
        order_id=fields["order_id"] or "",
        amount_cents=amount_cents,
        currency=fields["currency"] or "",
        reason=fields["reason"] or "",
        refund_key=fields["refund_key"],
    )


async def _refund_rows(database: StoreDatabase, order_id: str) -> list[tuple[str, int]]:
    async with database.session() as session:
        rows = await session.execute(
            text(
                "SELECT refund_key, amount_cents FROM refunds WHERE order_id = :order ORDER BY id"
            ),
            {"order": order_id},
        )
        return [(str(key), int(amount)) for key, amount in rows.tuples()]


async def _refund_error(
    env: ActivityEnvironment, store: StoreActivities, request: RefundRequest
) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        await env.run(store.issue_refund, request)
    assert caught.value.non_retryable
    return caught.value


async def test_issue_refund(
    store: StoreActivities, env: ActivityEnvironment, seeded: StoreDatabase, now: datetime
) -> None:
    result = await env.run(store.issue_refund, _refund(2500, currency="usd"))
    assert result.refund_id == "RF-000003"  # after the two seeded refunds
    assert (result.order_id, result.amount_cents, result.currency) == ("ORD-10042", 2500, "USD")
    assert result.amount_display == "$25.00"
    assert result.remaining_refundable_cents == 27800 - 2500
    assert result.issued_at == now.isoformat()
    assert result.already_processed is False
    order = await env.run(store.lookup_order, OrderRequest("CUST-1001", "ORD-10042"))
    assert (order.refunded_cents, order.refundable_cents) == (2500, 25300)
    assert await _refund_rows(seeded, "ORD-10042") == [("conv-1:call-1", 2500)]


async def test_the_same_refund_key_never_pays_twice(
    store: StoreActivities, env: ActivityEnvironment, seeded: StoreDatabase
) -> None:
    first = await env.run(store.issue_refund, _refund(2500))
    second = await env.run(store.issue_refund, _refund(2500, reason="retried"))

    assert second.already_processed is True
    assert second == dataclasses.replace(first, already_processed=True)
    assert await _refund_rows(seeded, "ORD-10042") == [("conv-1:call-1", 2500)]
    order = await env.run(store.lookup_order, OrderRequest("CUST-1001", "ORD-10042"))
    assert order.refunded_cents == 2500


async def test_concurrent_retries_with_one_key_pay_once(
    store: StoreActivities, env: ActivityEnvironment, seeded: StoreDatabase
) -> None:
    results = await asyncio.gather(
        *(env.run(store.issue_refund, _refund(2500)) for _ in range(5)), return_exceptions=True
    )
    refunds = [r for r in results if isinstance(r, RefundResult)]
    # SQLite may turn a lock conflict into OperationalError, which Temporal would retry.
    assert all(isinstance(r, RefundResult | OperationalError) for r in results), results
    assert {r.refund_id for r in refunds} == {"RF-000003"}
    assert [r.already_processed for r in refunds].count(False) == 1
    assert await _refund_rows(seeded, "ORD-10042") == [("conv-1:call-1", 2500)]


async def test_a_retried_activity_without_a_key_pays_once(
    store: StoreActivities, env: ActivityEnvironment, seeded: StoreDatabase
) -> None:
    # Within one activity execution (same workflow run and activity id), the derived key is
    # the same, as it is when Temporal retries the activity.
    first = await env.run(store.issue_refund, _refund(1000, refund_key=None))
    retry = await env.run(store.issue_refund, _refund(1000, refund_key=None))
    assert first.refund_key.startswith("auto:")
    assert retry.refund_id == first.refund_id
    assert retry.already_processed
    assert len(await _refund_rows(seeded, "ORD-10042")) == 1


async def test_a_reused_key_for_a_different_refund_is_refused(
    store: StoreActivities, env: ActivityEnvironment
) -> None:
    await env.run(store.issue_refund, _refund(2500))
    error = await _refund_error(env, store, _refund(3000))
    assert error.type == "InvalidToolArgument"
    assert error.message == (
        "refund_key 'conv-1:call-1' was already used for refund RF-000003 of $25.00 on order "
        "ORD-10042; use another key, or null, for a different refund."
    )


async def test_another_customers_refund_key_reveals_nothing(
    store: StoreActivities, env: ActivityEnvironment
) -> None:
    await env.run(store.issue_refund, _refund(2500))
    other = _refund(2500, customer_id="CUST-1002", order_id="ORD-10051", currency="GBP")
    error = await _refund_error(env, store, other)
    assert error.message == "refund_key 'conv-1:call-1' is already in use; leave refund_key null."


async def test_refunds_cannot_exceed_what_is_left(
    store: StoreActivities, env: ActivityEnvironment, seeded: StoreDatabase
) -> None:
    # ORD-10018: $159.00 paid, $40.00 already refunded.
    error = await _refund_error(env, store, _refund(12000, order_id="ORD-10018"))
    assert error.type == "InvalidToolArgument"
    assert error.message == (
        "A refund of $120.00 on order ORD-10018 is too much: $159.00 was paid and $40.00 "
        "already refunded, so at most $119.00 can still be refunded."
    )
    exact = await env.run(store.issue_refund, _refund(11900, order_id="ORD-10018"))
    assert exact.remaining_refundable_cents == 0
    one_more = await _refund_error(env, store, _refund(1, order_id="ORD-10018", refund_key="k2"))
    assert "at most $0.00 can still be refunded" in one_more.message
    assert [amount for _, amount in await _refund_rows(seeded, "ORD-10018")] == [4000, 11900]


async def test_concurrent_refunds_never_exceed_the_total(
    store: StoreActivities, env: ActivityEnvironment, seeded: StoreDatabase
) -> None:
    requests = [_refund(10000, refund_key=f"race-{i}") for i in range(6)]
    results = await asyncio.gather(
        *(env.run(store.issue_refund, r) for r in requests), return_exceptions=True
    )
    issued = [r for r in results if isinstance(r, RefundResult)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert all(isinstance(r, RefundResult | ApplicationError | OperationalError) for r in results)
    assert len(issued) <= 2  # $278.00 holds two refunds of $100.00
    assert all("is too much" in e.message for e in refused)
    rows = await _refund_rows(seeded, "ORD-10042")
    order = await env.run(store.lookup_order, OrderRequest("CUST-1001", "ORD-10042"))
    assert order.refunded_cents == sum(amount for _, amount in rows) == 10000 * len(issued)


async def test_a_refund_above_the_order_total(
    store: StoreActivities, env: ActivityEnvironment
) -> None:
    error = await _refund_error(env, store, _refund(30000))
    assert error.type == "InvalidToolArgument"
    assert error.message == (
        "A refund of $300.00 is more than order ORD-10042's total of $278.00; a refund cannot "
        "exceed what the customer paid."
    )


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (
            _refund(0),
            "amount_cents must be a positive number of cents (got 0); 2500 means 25.00.",
        ),
        (
            _refund(-500),
            "amount_cents must be a positive number of cents (got -500); 2500 means 25.00.",
        ),
        (
            _refund(currency="EUR"),
            "Order ORD-10042 was paid in USD; refund it in USD, not EUR.",
        ),
        (
            _refund(currency="dollars"),
            "'dollars' is not an ISO 4217 currency code: use three letters such as 'USD'.",
        ),
        (
            _refund(reason=" ok "),
            "Give a short reason for the refund, e.g. 'Item arrived damaged'.",
        ),
        (
            _refund(reason="x" * 501),
            "The refund reason is 501 characters; keep it under 500.",
        ),
        (
            _refund(refund_key="  "),
            "refund_key must be 1 to 200 printable characters; leave it null to let the store "
            "derive one.",
        ),
        (
            _refund(order_id="ORD-10042' OR '1'='1"),
            "\"ORD-10042' OR '1'='1\" is not a valid order id: order ids look like 'ORD-10042' "
            "(ORD- followed by five digits). Ask the customer to check the order confirmation "
            "email, or list their recent orders.",
        ),
    ],
)
async def test_refund_arguments_are_validated(
    store: StoreActivities,
    env: ActivityEnvironment,
    seeded: StoreDatabase,
    request_: RefundRequest,
    message: str,
) -> None:
    error = await _refund_error(env, store, request_)
    assert error.type == "InvalidToolArgument"
    assert error.message == message
    assert await _refund_rows(seeded, "ORD-10042") == []


async def test_refunding_another_customers_order_is_refused(
    store: StoreActivities, env: ActivityEnvironment, seeded: StoreDatabase
) -> None:
    error = await _refund_error(env, store, _refund(1000, order_id="ORD-10051", currency="GBP"))
    assert error.type == "NotFound"
    assert error.message.startswith("No order ORD-10051 was found for this customer.")
    assert await _refund_rows(seeded, "ORD-10051") == []


@pytest.mark.parametrize(
    "payload",
    [
        "'; DROP TABLE refunds; --",
        "x' OR '1'='1",
        "Robert'); DELETE FROM orders WHERE ('1'='1",
        "100% _refund_ \\ %",
    ],
)
async def test_injection_strings_are_just_text(
    store: StoreActivities, env: ActivityEnvironment, seeded: StoreDatabase, payload: str
) -> None:
    refund = await env.run(store.issue_refund, _refund(500, reason=payload, refund_key=payload))
    assert (refund.reason, refund.refund_key) == (payload, payload)

    search = await env.run(store.search_help_centre, SearchArticlesRequest(f"refund {payload}"))
    assert search.articles and search.articles[0].slug == "refund-timing"

    address = ShippingAddress("Maya Chen", payload, "Seattle", "98101", "US", payload, None)
    change = ChangeShippingAddressRequest("CUST-1001", "ORD-10063", address)
    changed = await env.run(store.change_shipping_address, change)
    assert changed.new_address.line1 == payload

    for order_id in (payload, f"ORD-10042{payload}"):
        with pytest.raises(ApplicationError, match="is not a valid order id"):
            await env.run(store.lookup_order, OrderRequest("CUST-1001", order_id))

    async with seeded.session() as session:
        orders = await session.scalar(select(func.count()).select_from(text("orders")))
        refunds = await session.scalar(select(func.count()).select_from(text("refunds")))
    assert (orders, refunds) == (9, 3)
