"""The store's I/O tools, as Temporal activities on one class that holds the database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from temporalio import activity

from ._convert import address_of, order_details, order_summary, shipment_info
from ._database import StoreDatabase
from ._messages import (
    AddressChangeResult,
    ArticleHit,
    ArticleSearchResult,
    ChangeShippingAddressRequest,
    CustomerProfile,
    CustomerRequest,
    ListOrdersRequest,
    OrderDetails,
    OrderList,
    OrderRequest,
    RefundRequest,
    RefundResult,
    SearchArticlesRequest,
    ShipmentInfo,
)
from ._refunds import check_refund_amount, default_refund_key, find_replay, record_refund
from ._schema import Article, Customer, Order, OrderLine
from ._search import keywords, like_patterns, score
from ._validation import (
    NOT_ALLOWED,
    NOT_FOUND,
    invalid,
    parse_address,
    parse_currency,
    parse_customer_id,
    parse_limit,
    parse_order_id,
    parse_reason,
    parse_refund_key,
    store_error,
)

_MAX_QUERY: Final = 300
_ADDRESS_CHANGEABLE: Final = frozenset({"pending"})


def _utc_now() -> datetime:
    return datetime.now(UTC)


class StoreActivities:
    """The store tools that read or write the database, as Temporal activities.

    Register the bound methods with a worker (`worker = Worker(..., activities=
    StoreActivities(database).all())`) and wrap them for agents with `activity_as_tool`. Every
    activity takes one request dataclass and returns one result dataclass. Bad arguments,
    unknown orders and refused requests raise a non-retryable `ApplicationError` whose message
    is written for the model; its `type` is `InvalidToolArgument`, `NotFound` or `NotAllowed`.

    An order of another customer is reported exactly like an order that does not exist, so
    that order ids cannot be probed.
    """

    def __init__(
        self, database: StoreDatabase, *, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        """Create the activities.

        Args:
            database: The store database (schema created, seeded or not).
            clock: Returns the current time, timezone-aware; tests pass a fixed one.
        """
        self._database = database
        self._clock = clock

    def all(self) -> Sequence[Callable[..., Any]]:
        """Every activity of this class, bound, ready for `Worker(activities=...)`."""
        return [
            self.get_customer,
            self.lookup_order,
            self.list_recent_orders,
            self.track_shipment,
            self.search_help_centre,
            self.change_shipping_address,
            self.issue_refund,
        ]

    @activity.defn(name="support.get_customer")
    async def get_customer(self, request: CustomerRequest) -> CustomerProfile:
        """Get the customer's profile: name, email, membership date and number of orders.

        Args:
            request: The customer to look up.
        """
        customer_id = parse_customer_id(request.customer_id)
        async with self._database.session() as session:
            customer = await session.get(Customer, customer_id)
            if customer is None:
                raise _unknown_customer(customer_id)
            order_count = await session.scalar(
                select(func.count()).select_from(Order).where(Order.customer_id == customer_id)
            )
        return CustomerProfile(
            customer_id=customer.id,
            name=customer.name,
            email=customer.email,
            member_since=customer.created_at.date().isoformat(),
            order_count=order_count or 0,
        )

    @activity.defn(name="support.lookup_order")
    async def lookup_order(self, request: OrderRequest) -> OrderDetails:
        """Look up one of the customer's orders: items, amounts, refunds so far and shipment.

        Args:
            request: The customer and the order id.
        """
        customer_id, order_id = _order_ids(request.customer_id, request.order_id)
        async with self._database.session() as session:
            order = await _owned_order(session, customer_id, order_id, with_lines=True)
        return order_details(order, today=self._clock().date())

    @activity.defn(name="support.list_recent_orders")
    async def list_recent_orders(self, request: ListOrdersRequest) -> OrderList:
        """List the customer's most recent orders, newest first, with status and total.

        Args:
            request: The customer and how many orders to list.
        """
        customer_id = parse_customer_id(request.customer_id)
        limit = parse_limit(request.limit, default=5, maximum=20)
        async with self._database.session() as session:
            if await session.get(Customer, customer_id) is None:
                raise _unknown_customer(customer_id)
            units = (
                select(func.coalesce(func.sum(OrderLine.quantity), 0))
                .where(OrderLine.order_id == Order.id)
                .scalar_subquery()
            )
            rows = await session.execute(
                select(Order, units)
                .where(Order.customer_id == customer_id)
                .order_by(Order.placed_at.desc(), Order.id.desc())
                .limit(limit)
            )
            orders = [order_summary(order, int(count)) for order, count in rows.tuples()]
        return OrderList(customer_id=customer_id, orders=orders)

    @activity.defn(name="support.track_shipment")
    async def track_shipment(self, request: OrderRequest) -> ShipmentInfo:
        """Track the parcel of one of the customer's orders: carrier, status, dates, address.

        Args:
            request: The customer and the order id.
        """
        customer_id, order_id = _order_ids(request.customer_id, request.order_id)
        async with self._database.session() as session:
            order = await _owned_order(session, customer_id, order_id)
        if order.shipment is None:
            raise store_error(
                f"Order {order_id} was cancelled before it shipped, so there is no parcel to "
                "track.",
                NOT_FOUND,
            )
        return shipment_info(order.shipment)

    @activity.defn(name="support.search_help_centre")
    async def search_help_centre(self, request: SearchArticlesRequest) -> ArticleSearchResult:
        """Search the help-centre articles (store policies and how-tos) by keywords.

        Answer policy questions from the returned article text only.

        Args:
            request: The keywords and how many articles to return.
        """
        query = " ".join(request.query.split())
        limit = parse_limit(request.limit, default=3, maximum=10)
        if len(query) > _MAX_QUERY:
            raise invalid(f"The search query is {len(query)} characters; use a few keywords.")
        stems = keywords(query)
        if not stems:
            raise invalid(
                f"{request.query!r} has no keywords to search for; use words such as "
                "'return policy' or 'refund time'."
            )
        text = func.lower(Article.title + " " + Article.tags + " " + Article.body)
        async with self._database.session() as session:
            candidates = await session.scalars(
                select(Article).where(
                    or_(*(text.like(pattern, escape="\\") for pattern in like_patterns(stems)))
                )
            )
            scored = [
                (score(stems, title=a.title, tags=a.tags, body=a.body), a) for a in candidates
            ]
        ranked = sorted(
            ((s, a) for s, a in scored if s > 0), key=lambda item: (-item[0], item[1].slug)
        )
        return ArticleSearchResult(
            query=query,
            articles=[
                ArticleHit(slug=a.slug, title=a.title, body=a.body, score=s)
                for s, a in ranked[:limit]
            ],
        )

    @activity.defn(name="support.change_shipping_address")
    async def change_shipping_address(
        self, request: ChangeShippingAddressRequest
    ) -> AddressChangeResult:
        """Send a not-yet-shipped order to a new address. NEEDS APPROVAL by a specialist.

        Only possible while the parcel has not been handed to the carrier. Confirm the whole
        new address with the customer before calling.

        Args:
            request: The customer, the order and the complete new address.
        """
        customer_id, order_id = _order_ids(request.customer_id, request.order_id)
        new_address = parse_address(request.address)
        async with self._database.session() as session, session.begin():
            order = await _owned_order(session, customer_id, order_id)
            shipment = order.shipment
            if shipment is None or shipment.status not in _ADDRESS_CHANGEABLE:
                state = "was cancelled" if shipment is None else f"is {shipment.status}"
                raise store_error(
                    f"The address of order {order_id} can no longer be changed: the order "
                    f"{state.replace('_', ' ')}. Once a parcel has shipped, the customer can ask "
                    "the carrier to redirect it using the tracking number.",
                    NOT_ALLOWED,
                )
            previous = address_of(shipment)
            shipment.recipient = new_address.recipient
            shipment.line1 = new_address.line1
            shipment.line2 = new_address.line2
            shipment.city = new_address.city
            shipment.region = new_address.region
            shipment.postal_code = new_address.postal_code
            shipment.country = new_address.country
            shipment.latest_event = "Shipping address updated at the customer's request"
        return AddressChangeResult(
            order_id=order_id, previous_address=previous, new_address=new_address
        )

    @activity.defn(name="support.issue_refund")
    async def issue_refund(self, request: RefundRequest) -> RefundResult:
        """Refund money for one of the customer's orders to the original payment method.

        Refunds above the store's approval threshold NEED APPROVAL by a specialist. The amount
        may not exceed what is left to refund on the order (see `refundable_cents` from
        lookup_order). Calling again with the same refund_key returns the first refund and pays
        nothing more.

        Args:
            request: The customer, order, amount in cents, currency and reason.
        """
        customer_id, order_id = _order_ids(request.customer_id, request.order_id)
        currency = parse_currency(request.currency)
        reason = parse_reason(request.reason)
        if request.amount_cents <= 0:
            raise invalid(
                f"amount_cents must be a positive number of cents (got {request.amount_cents}); "
                "2500 means 25.00."
            )
        key = default_refund_key() if request.refund_key is None else request.refund_key
        key = parse_refund_key(key)
        try:
            async with self._database.session() as session, session.begin():
                existing = await find_replay(session, key, customer_id, order_id, request)
                if existing is not None:
                    return existing
                order = await _owned_order(session, customer_id, order_id)
                check_refund_amount(order, request.amount_cents, currency)
                return await record_refund(session, order, key, request, reason, self._clock())
        except IntegrityError:
            # A concurrent attempt with the same key committed first: report its refund.
            async with self._database.session() as session:
                existing = await find_replay(session, key, customer_id, order_id, request)
            if existing is None:
                raise
            return existing


def _order_ids(customer_id: str, order_id: str) -> tuple[str, str]:
    return parse_customer_id(customer_id), parse_order_id(order_id)


def _unknown_customer(customer_id: str) -> Exception:
    return store_error(
        f"No customer {customer_id!r} exists. Use the customer id of this conversation.",
        NOT_FOUND,
    )


async def _owned_order(
    session: AsyncSession, customer_id: str, order_id: str, *, with_lines: bool = False
) -> Order:
    """The order if it belongs to the customer; otherwise the same NotFound either way."""
    options = [selectinload(Order.shipment)]
    if with_lines:
        options.append(selectinload(Order.lines))
    order = await session.scalar(
        select(Order)
        .where(Order.id == order_id, Order.customer_id == customer_id)
        .options(*options)
    )
    if order is None:
        raise store_error(
            f"No order {order_id} was found for this customer. Check the number with the "
            "customer, or list their recent orders.",
            NOT_FOUND,
        )
    return order
