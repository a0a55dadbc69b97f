"""Arguments and results of the store activities.

They are plain dataclasses so that any Temporal payload converter can carry them. Field
docstrings become field descriptions in the tool's JSON schema (through pydantic's
`use_attribute_docstrings`), which is what the model reads when it fills in the arguments.

Optional arguments default to `None`, never to another value: strict tool schemas make every
field required, and a `null` is something the model can always send.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Strict

OrderStatus = Literal["processing", "shipped", "delivered", "cancelled"]
"""Where an order is in its life: paid and being packed, handed to the carrier, received, or
cancelled before shipping."""

ShipmentStatus = Literal["pending", "in_transit", "out_for_delivery", "delivered", "exception"]
"""Where a parcel is: not yet handed to the carrier, moving, on the van today, received, or held
up (customs, failed delivery attempt)."""


class _ToolSchema:
    # Pydantic reads this from any class it builds a schema for, stdlib dataclasses included.
    __pydantic_config__: ClassVar[ConfigDict] = ConfigDict(use_attribute_docstrings=True)


@dataclass
class CustomerRequest(_ToolSchema):
    """Identifies the customer a tool acts for."""

    customer_id: str
    """The id of the customer in this conversation, like 'CUST-1001'."""


@dataclass
class OrderRequest(_ToolSchema):
    """Identifies one order of the customer."""

    customer_id: str
    """The id of the customer in this conversation, like 'CUST-1001'."""

    order_id: str
    """The order id, like 'ORD-10042' (ORD- and five digits), as the customer gave it."""


@dataclass
class ListOrdersRequest(_ToolSchema):
    """Asks for the customer's most recent orders."""

    customer_id: str
    """The id of the customer in this conversation, like 'CUST-1001'."""

    limit: int | None = None
    """How many orders to return, newest first: 1 to 20, or null for 5."""


@dataclass
class SearchArticlesRequest(_ToolSchema):
    """A help-centre search."""

    query: str
    """Keywords describing the customer's question, e.g. 'return damaged item refund time'."""

    limit: int | None = None
    """How many articles to return, best match first: 1 to 10, or null for 3."""


@dataclass
class ShippingAddress(_ToolSchema):
    """A postal address that parcels are delivered to."""

    recipient: str
    """Full name of the person receiving the parcel."""

    line1: str
    """Street and house number."""

    city: str
    """City or town."""

    postal_code: str
    """Postal or ZIP code."""

    country: str
    """Two-letter ISO 3166 country code, like 'US', 'GB' or 'IT'."""

    line2: str | None = None
    """Apartment, suite or floor; null when there is none."""

    region: str | None = None
    """State, county or province; null when the country does not use one."""


@dataclass
class ChangeShippingAddressRequest(_ToolSchema):
    """Asks to deliver a not-yet-shipped order to a different address."""

    customer_id: str
    """The id of the customer in this conversation, like 'CUST-1001'."""

    order_id: str
    """The order whose parcel should go to the new address, like 'ORD-10063'."""

    address: ShippingAddress
    """The complete new address, as confirmed by the customer."""


@dataclass
class RefundRequest(_ToolSchema):
    """Asks to refund part or all of an order to the customer's original payment method."""

    customer_id: str
    """The id of the customer in this conversation, like 'CUST-1001'."""

    order_id: str
    """The order to refund, like 'ORD-10042'."""

    # Strict: 60000.0, "60000" or 1e3 are refused rather than read as integers, because the
    # approval policy and the refund-limit guardrail read the raw arguments as whole numbers
    # only: what they judge and what runs must be the same amount.
    amount_cents: Annotated[int, Strict()]
    """The amount to refund in whole cents (minor units) of the order's currency: 2500 is
    25.00."""

    currency: str
    """The order's ISO 4217 currency code, like 'USD'; it must match the order."""

    reason: str
    """Why the customer is refunded, in a short sentence, e.g. 'Tent pole arrived broken'."""

    refund_key: str | None = None
    """Leave null. A key that makes repeated requests return the first refund instead of paying
    twice; when null, one is derived from this tool call so a retried call never refunds
    twice."""


@dataclass
class CustomerProfile:
    """Who the customer is."""

    customer_id: str
    """The customer's id, like 'CUST-1001'."""

    name: str
    """The customer's full name."""

    email: str
    """The customer's email address."""

    member_since: str
    """ISO date the account was created."""

    order_count: int
    """How many orders the customer has placed."""


@dataclass
class OrderItem:
    """One line of an order."""

    sku: str
    """Product code."""

    product_name: str
    """Product name as sold."""

    quantity: int
    """Units ordered."""

    unit_price_cents: int
    """Price of one unit in cents of the order's currency."""

    line_total_cents: int
    """quantity times unit price, in cents."""


@dataclass
class ShipmentInfo:
    """Where an order's parcel is."""

    order_id: str
    """The order the parcel belongs to."""

    status: ShipmentStatus
    """The parcel's status."""

    carrier: str
    """The delivery company."""

    tracking_number: str | None
    """The carrier's tracking number; null until the parcel is handed over."""

    shipped_on: str | None
    """ISO date the carrier picked the parcel up; null if not yet."""

    estimated_delivery: str | None
    """ISO date the carrier expects to deliver; null when unknown or delivered."""

    delivered_on: str | None
    """ISO date of delivery; null if not delivered."""

    latest_event: str
    """The carrier's latest scan or note, in plain words."""

    ship_to: ShippingAddress
    """Where the parcel is going."""


@dataclass
class OrderDetails:
    """Everything about one order."""

    order_id: str
    """The order id."""

    customer_id: str
    """The customer who placed it."""

    status: OrderStatus
    """Where the order is in its life."""

    placed_on: str
    """ISO date the order was placed."""

    currency: str
    """ISO 4217 currency of every amount in this order."""

    items: list[OrderItem]
    """The order lines."""

    shipping_cents: int
    """Shipping charged, in cents."""

    total_cents: int
    """What the customer paid: items plus shipping, in cents."""

    refunded_cents: int
    """Already refunded, in cents."""

    refundable_cents: int
    """What can still be refunded: total minus refunds so far, in cents."""

    total_display: str
    """The total formatted for people, e.g. '$278.00'."""

    shipment: ShipmentInfo | None
    """The parcel, or null for a cancelled order."""

    as_of: str
    """Today's ISO date at the store, for return-window calculations."""


@dataclass
class OrderSummary:
    """One line of an order list."""

    order_id: str
    """The order id."""

    status: OrderStatus
    """Where the order is in its life."""

    placed_on: str
    """ISO date the order was placed."""

    item_count: int
    """Units in the order."""

    total_cents: int
    """What the customer paid, in cents."""

    currency: str
    """ISO 4217 currency of the total."""

    total_display: str
    """The total formatted for people."""


@dataclass
class OrderList:
    """A customer's most recent orders, newest first."""

    customer_id: str
    """The customer."""

    orders: list[OrderSummary]
    """The orders, newest first; empty when the customer has none."""


@dataclass
class ArticleHit:
    """A help-centre article that matches a search."""

    slug: str
    """The article's stable id."""

    title: str
    """The article's title."""

    body: str
    """The article's full text: quote from it, do not invent policy."""

    score: float
    """How well it matches; higher is better."""


@dataclass
class ArticleSearchResult:
    """The best help-centre articles for a query."""

    query: str
    """The query as searched."""

    articles: list[ArticleHit]
    """Matches, best first; empty when nothing matched."""


@dataclass
class AddressChangeResult:
    """A shipping address that was changed."""

    order_id: str
    """The order whose parcel now goes to the new address."""

    previous_address: ShippingAddress
    """The address before the change."""

    new_address: ShippingAddress
    """The address the parcel will be delivered to."""


@dataclass
class RefundResult:
    """A refund that was issued (or had already been issued for the same key)."""

    refund_id: str
    """The refund's id, like 'RF-000007'; quote it to the customer."""

    refund_key: str
    """The idempotency key the refund is recorded under."""

    order_id: str
    """The refunded order."""

    amount_cents: int
    """The amount refunded, in cents."""

    currency: str
    """ISO 4217 currency of the refund."""

    amount_display: str
    """The amount formatted for people, e.g. '$25.00'."""

    reason: str
    """Why it was refunded."""

    issued_at: str
    """ISO timestamp of the refund."""

    remaining_refundable_cents: int
    """What can still be refunded on the order afterwards, in cents."""

    already_processed: bool
    """True when this exact refund had already been issued earlier and nothing new was paid."""
