from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from support_tools import (
    ChangeShippingAddressRequest,
    CustomerRequest,
    ListOrdersRequest,
    OrderRequest,
    SearchArticlesRequest,
    ShippingAddress,
    StoreActivities,
)

RequestT = TypeVar("RequestT")


async def _error(
    env: ActivityEnvironment, activity: Callable[[RequestT], Awaitable[object]], request: RequestT
) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        await env.run(activity, request)
    assert caught.value.non_retryable
    return caught.value


_NEW_ADDRESS = ShippingAddress(
    recipient="Maya Chen",
    line1="  77 Alder   Street ",
    line2=None,
    city="Seattle",
    region="WA",
    postal_code="98101",
    country="us",
)


async def test_get_customer(store: StoreActivities, env: ActivityEnvironment) -> None:
    profile = await env.run(store.get_customer, CustomerRequest(" cust-1001 "))
    assert (profile.customer_id, profile.name, profile.email) == (
        "CUST-1001",
        "Maya Chen",
        "maya.chen@example.com",
    )
    assert profile.member_since == "2024-01-29"
    assert profile.order_count == 4


async def test_get_customer_unknown(store: StoreActivities, env: ActivityEnvironment) -> None:
    error = await _error(env, store.get_customer, CustomerRequest("CUST-9999"))
    assert error.type == "NotFound"
    assert error.message == (
        "No customer 'CUST-9999' exists. Use the customer id of this conversation."
    )


async def test_lookup_order(store: StoreActivities, env: ActivityEnvironment) -> None:
    order = await env.run(store.lookup_order, OrderRequest("CUST-1001", "ord-10042"))
    assert order.order_id == "ORD-10042"
    assert order.status == "delivered"
    assert order.placed_on == "2025-03-02"
    assert [(i.sku, i.quantity, i.line_total_cents) for i in order.items] == [
        ("SKU-TENT-2P", 1, 24900),
        ("SKU-MUG", 2, 2900),
    ]
    assert (order.total_cents, order.refunded_cents, order.refundable_cents) == (27800, 0, 27800)
    assert order.total_display == "$278.00"
    assert order.as_of == "2025-03-14"
    assert order.shipment is not None
    assert order.shipment.delivered_on == "2025-03-07"


async def test_lookup_order_shows_earlier_refunds(
    store: StoreActivities, env: ActivityEnvironment
) -> None:
    order = await env.run(store.lookup_order, OrderRequest("CUST-1001", "ORD-10018"))
    assert (order.total_cents, order.refunded_cents, order.refundable_cents) == (15900, 4000, 11900)


async def test_lookup_order_of_another_customer_is_not_found(
    store: StoreActivities, env: ActivityEnvironment
) -> None:
    # ORD-10051 exists, but belongs to CUST-1002: the answer must not reveal that.
    theirs = await _error(env, store.lookup_order, OrderRequest("CUST-1001", "ORD-10051"))
    missing = await _error(env, store.lookup_order, OrderRequest("CUST-1001", "ORD-99999"))
    assert theirs.type == missing.type == "NotFound"
    assert theirs.message == (
        "No order ORD-10051 was found for this customer. Check the number with the customer, "
        "or list their recent orders."
    )
    assert missing.message == theirs.message.replace("ORD-10051", "ORD-99999")


@pytest.mark.parametrize(
    "order_id",
    ["10042", "ORD-1004", "ORD-100420", "ORD-10O42", "ORD-١٠٠٤٢", "", "ORD-1' OR '1'='1"],
)
async def test_lookup_order_rejects_malformed_ids(
    store: StoreActivities, env: ActivityEnvironment, order_id: str
) -> None:
    error = await _error(env, store.lookup_order, OrderRequest("CUST-1001", order_id))
    assert error.type == "InvalidToolArgument"
    assert error.message == (
        f"{order_id!r} is not a valid order id: order ids look like 'ORD-10042' (ORD- followed "
        "by five digits). Ask the customer to check the order confirmation email, or list "
        "their recent orders."
    )


async def test_lookup_order_rejects_malformed_customer_ids(
    store: StoreActivities, env: ActivityEnvironment
) -> None:
    request = OrderRequest("CUST-1001' OR '1'='1", "ORD-10042")
    error = await _error(env, store.lookup_order, request)
    assert error.type == "InvalidToolArgument"
    assert error.message == (
        "\"CUST-1001' OR '1'='1\" is not a valid customer id: customer ids look like "
        "'CUST-1001'. Use the customer id of this conversation."
    )


async def test_list_recent_orders(store: StoreActivities, env: ActivityEnvironment) -> None:
    listed = await env.run(store.list_recent_orders, ListOrdersRequest("CUST-1001"))
    assert [o.order_id for o in listed.orders] == [
        "ORD-10063",
        "ORD-10057",
        "ORD-10042",
        "ORD-10018",
    ]
    assert [o.item_count for o in listed.orders] == [2, 2, 3, 1]
    two = await env.run(store.list_recent_orders, ListOrdersRequest("CUST-1001", limit=2))
    assert [o.order_id for o in two.orders] == ["ORD-10063", "ORD-10057"]


@pytest.mark.parametrize("limit", [0, -3, 21])
async def test_list_recent_orders_rejects_bad_limits(
    store: StoreActivities, env: ActivityEnvironment, limit: int
) -> None:
    error = await _error(env, store.list_recent_orders, ListOrdersRequest("CUST-1001", limit))
    assert error.type == "InvalidToolArgument"
    assert error.message == f"limit must be between 1 and 20 (got {limit}); use null for 5."


async def test_list_recent_orders_of_unknown_customer(
    store: StoreActivities, env: ActivityEnvironment
) -> None:
    error = await _error(env, store.list_recent_orders, ListOrdersRequest("CUST-4242"))
    assert error.type == "NotFound"


async def test_track_shipment(store: StoreActivities, env: ActivityEnvironment) -> None:
    shipment = await env.run(store.track_shipment, OrderRequest("CUST-1001", "ORD-10057"))
    assert (shipment.status, shipment.carrier, shipment.tracking_number) == (
        "in_transit",
        "FedEx",
        "775120498316",
    )
    assert (shipment.shipped_on, shipment.estimated_delivery) == ("2025-03-12", "2025-03-16")
    assert shipment.ship_to.city == "Portland"


async def test_track_shipment_of_cancelled_order(
    store: StoreActivities, env: ActivityEnvironment
) -> None:
    error = await _error(env, store.track_shipment, OrderRequest("CUST-1004", "ORD-10033"))
    assert error.type == "NotFound"
    assert error.message == (
        "Order ORD-10033 was cancelled before it shipped, so there is no parcel to track."
    )


async def test_track_shipment_of_another_customer(
    store: StoreActivities, env: ActivityEnvironment
) -> None:
    error = await _error(env, store.track_shipment, OrderRequest("CUST-1002", "ORD-10057"))
    assert error.type == "NotFound"


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("How long until my refund shows up on my card?", "refund-timing"),
        ("can I change the shipping address", "change-address"),
        ("my boots are stuck in customs", "international"),
        ("returned items policy", "returns-policy"),
        ("the lantern arrived broken", "damaged-items"),
    ],
)
async def test_search_help_centre_ranks_the_best_article_first(
    store: StoreActivities, env: ActivityEnvironment, query: str, best: str
) -> None:
    result = await env.run(store.search_help_centre, SearchArticlesRequest(query))
    assert result.articles[0].slug == best
    assert 1 <= len(result.articles) <= 3
    scores = [article.score for article in result.articles]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)


async def test_search_help_centre_limit_and_no_match(
    store: StoreActivities, env: ActivityEnvironment
) -> None:
    many = await env.run(store.search_help_centre, SearchArticlesRequest("order refund", 10))
    assert len(many.articles) > 3
    none = await env.run(store.search_help_centre, SearchArticlesRequest("zeppelin xylophone"))
    assert none.articles == []


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (
            SearchArticlesRequest("   "),
            "'   ' has no keywords to search for; use words such as 'return policy' or "
            "'refund time'.",
        ),
        (
            SearchArticlesRequest("%%% ___"),
            "'%%% ___' has no keywords to search for; use words such as 'return policy' or "
            "'refund time'.",
        ),
        (
            SearchArticlesRequest("refund " * 50),
            "The search query is 349 characters; use a few keywords.",
        ),
        (
            SearchArticlesRequest("refund", 11),
            "limit must be between 1 and 10 (got 11); use null for 3.",
        ),
    ],
)
async def test_search_help_centre_rejects_bad_queries(
    store: StoreActivities, env: ActivityEnvironment, request_: SearchArticlesRequest, message: str
) -> None:
    error = await _error(env, store.search_help_centre, request_)
    assert error.type == "InvalidToolArgument"
    assert error.message == message


async def test_change_shipping_address(store: StoreActivities, env: ActivityEnvironment) -> None:
    request = ChangeShippingAddressRequest("CUST-1001", "ORD-10063", _NEW_ADDRESS)
    result = await env.run(store.change_shipping_address, request)
    assert result.previous_address.line1 == "2145 Larkspur Lane"
    assert result.new_address == ShippingAddress(
        "Maya Chen", "77 Alder Street", "Seattle", "98101", "US", None, "WA"
    )
    shipment = await env.run(store.track_shipment, OrderRequest("CUST-1001", "ORD-10063"))
    assert shipment.ship_to == result.new_address
    # Asking again is harmless: the parcel already goes there.
    again = await env.run(store.change_shipping_address, request)
    assert again.previous_address == again.new_address == result.new_address


async def test_change_shipping_address_after_shipping_is_refused(
    store: StoreActivities, env: ActivityEnvironment
) -> None:
    request = ChangeShippingAddressRequest("CUST-1001", "ORD-10057", _NEW_ADDRESS)
    error = await _error(env, store.change_shipping_address, request)
    assert error.type == "NotAllowed"
    assert error.message == (
        "The address of order ORD-10057 can no longer be changed: the order is in transit. Once "
        "a parcel has shipped, the customer can ask the carrier to redirect it using the "
        "tracking number."
    )
    shipment = await env.run(store.track_shipment, OrderRequest("CUST-1001", "ORD-10057"))
    assert shipment.ship_to.city == "Portland"


async def test_change_shipping_address_of_another_customer(
    store: StoreActivities, env: ActivityEnvironment
) -> None:
    request = ChangeShippingAddressRequest("CUST-1001", "ORD-10066", _NEW_ADDRESS)
    error = await _error(env, store.change_shipping_address, request)
    assert error.type == "NotFound"
    shipment = await env.run(store.track_shipment, OrderRequest("CUST-1002", "ORD-10066"))
    assert shipment.ship_to.city == "Bristol"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"recipient": "  "}, "The address recipient is empty: ask the customer for it."),
        ({"line1": ""}, "The address line1 (street) is empty: ask the customer for it."),
        ({"city": "\t"}, "The address city is empty: ask the customer for it."),
        (
            {"line1": "x" * 121},
            "The address line1 (street) is 121 characters long; at most 120 fit on a shipping "
            "label. Ask the customer for a shorter form.",
        ),
        (
            {"line2": "Suite\x00 5"},
            "The address line2 contains characters that cannot be printed.",
        ),
        (
            {"postal_code": "98101!"},
            "'98101!' does not look like a postal code: use 3 to 12 letters, digits, spaces or "
            "dashes.",
        ),
        (
            {"country": "USA"},
            "'USA' is not a two-letter ISO 3166 country code such as 'US' or 'GB'.",
        ),
    ],
)
async def test_change_shipping_address_validates_every_field(
    store: StoreActivities, env: ActivityEnvironment, changes: dict[str, str], message: str
) -> None:
    fields = {**vars(_NEW_ADDRESS), **changes}
    request = ChangeShippingAddressRequest("CUST-1001", "ORD-10063", ShippingAddress(**fields))
    error = await _error(env, store.change_shipping_address, request)
    assert error.type == "InvalidToolArgument"
    assert error.message == message
