"""Believable demo data: four customers and orders in every state a support chat meets.

Dates are relative to the moment of seeding so the demo stays current: the delivered tent is
always inside its return window, the parcel in transit always due in two days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ._articles import ARTICLES
from ._schema import Article, Customer, Order, OrderLine, Product, Refund, Shipment

DEMO_CUSTOMER_ID: Final = "CUST-1001"
"""The demo customer with the richest history (four orders, one partly refunded)."""

_PRODUCTS: Final = (
    ("SKU-TENT-2P", "Ridgeline 2-Person Tent", "tents", 24900),
    ("SKU-BAG-20F", "Alpine 20°F Sleeping Bag", "sleeping", 15900),
    ("SKU-STOVE", "Campfire Compact Stove", "cooking", 6450),
    ("SKU-BOTTLE", "Insulated Water Bottle 750 ml", "cooking", 2995),
    ("SKU-JACKET-M", "Stormshell Rain Jacket (M)", "clothing", 18900),
    ("SKU-BOOTS-42", "Trailhead Hiking Boots (EU 42)", "footwear", 16500),
    ("SKU-LANTERN", "Rechargeable LED Lantern", "lighting", 3900),
    ("SKU-MUG", "Enamel Camp Mug", "cooking", 1450),
    ("SKU-PACK-40", "Summit 40 L Backpack", "packs", 13900),
    ("SKU-HAMMOCK", "Featherlight Hammock", "sleeping", 5900),
)

# (id, name, email, account age in days, (recipient, line1, line2, city, region, postcode, country))
_CUSTOMERS: Final = (
    ("CUST-1001", "Maya Chen", "maya.chen@example.com", 410,
     ("Maya Chen", "2145 Larkspur Lane", "Apt 3B", "Portland", "OR", "97205", "US")),
    ("CUST-1002", "Liam O'Connor", "liam.oconnor@example.com", 230,
     ("Liam O'Connor", "14 Brunswick Street", "Flat 2", "Bristol", None, "BS2 8PE", "GB")),
    ("CUST-1003", "Sofia Rossi", "sofia.rossi@example.com", 150,
     ("Sofia Rossi", "Via Garibaldi 27", None, "Torino", "TO", "10122", "IT")),
    ("CUST-1004", "Daniel Okafor", "daniel.okafor@example.com", 95,
     ("Daniel Okafor", "88 Cedar Avenue", None, "Austin", "TX", "78704", "US")),
)  # fmt: skip


@dataclass(frozen=True)
class _ShipmentSeed:
    status: str
    carrier: str
    tracking_number: str | None
    latest_event: str
    shipped_days_ago: int | None = None
    delivered_days_ago: int | None = None
    eta_in_days: int | None = None


@dataclass(frozen=True)
class _OrderSeed:
    order_id: str
    customer_id: str
    status: str
    currency: str
    placed_hours_ago: int
    lines: tuple[tuple[str, int, int], ...]
    """(sku, quantity, unit price in cents of the order's currency)"""
    shipping_cents: int
    shipment: _ShipmentSeed | None
    refunds: tuple[tuple[int, str, int], ...] = ()
    """(amount in cents, reason, hours after placing)"""


_ORDERS: Final = (
    _OrderSeed("ORD-10018", "CUST-1001", "delivered", "USD", 75 * 24,
               (("SKU-BAG-20F", 1, 15900),), 0,
               _ShipmentSeed("delivered", "UPS", "1Z84A7E20312874590",
                             "Delivered, left at front door", 74, 70),
               ((4000, "Zipper pull broke; partial refund agreed instead of a return", 15 * 24),)),
    _OrderSeed("ORD-10042", "CUST-1001", "delivered", "USD", 12 * 24,
               (("SKU-TENT-2P", 1, 24900), ("SKU-MUG", 2, 1450)), 0,
               _ShipmentSeed("delivered", "UPS", "1Z84A7E20398127734",
                             "Delivered, signed for by M CHEN", 11, 7)),
    _OrderSeed("ORD-10057", "CUST-1001", "shipped", "USD", 3 * 24,
               (("SKU-PACK-40", 1, 13900), ("SKU-BOTTLE", 1, 2995)), 0,
               _ShipmentSeed("in_transit", "FedEx", "775120498316",
                             "Departed FedEx hub, Memphis TN", 2, None, 2)),
    _OrderSeed("ORD-10063", "CUST-1001", "processing", "USD", 2,
               (("SKU-LANTERN", 1, 3900), ("SKU-STOVE", 1, 6450)), 0,
               _ShipmentSeed("pending", "UPS", None, "Order received; being packed",
                             None, None, 4)),
    _OrderSeed("ORD-10051", "CUST-1002", "delivered", "GBP", 6 * 24,
               (("SKU-JACKET-M", 1, 16900),), 0,
               _ShipmentSeed("delivered", "Royal Mail", "RM482913075GB",
                             "Delivered to the front desk", 5, 2)),
    _OrderSeed("ORD-10066", "CUST-1002", "processing", "GBP", 20,
               (("SKU-HAMMOCK", 1, 5200),), 495,
               _ShipmentSeed("pending", "Royal Mail", None, "Order received; being packed",
                             None, None, 5)),
    _OrderSeed("ORD-10049", "CUST-1003", "shipped", "EUR", 9 * 24,
               (("SKU-BOOTS-42", 1, 15900), ("SKU-BOTTLE", 1, 2750)), 0,
               _ShipmentSeed("exception", "DHL", "4823019561",
                             "Held by customs in Milan: documents requested", 7)),
    _OrderSeed("ORD-10033", "CUST-1004", "cancelled", "USD", 20 * 24,
               (("SKU-STOVE", 1, 6450),), 795, None,
               ((7245, "Order cancelled before shipping", 3),)),
    _OrderSeed("ORD-10060", "CUST-1004", "shipped", "USD", 4 * 24,
               (("SKU-HAMMOCK", 2, 5900), ("SKU-LANTERN", 1, 3900)), 0,
               _ShipmentSeed("out_for_delivery", "UPS", "1Z84A7E20377410263",
                             "Out for delivery, Austin TX", 3, None, 0)),
)  # fmt: skip


async def seed_store(session: AsyncSession, now: datetime) -> bool:
    """Add the demo data if the store has no customers yet; return whether it did.

    Run it inside a transaction: if another process seeds at the same moment, one of the two
    fails on a primary key and rolls back as a whole.
    """
    if await session.scalar(select(Customer.id).limit(1)) is not None:
        return False
    session.add_all(
        Product(sku=sku, name=name, category=category, price_cents=price)
        for sku, name, category, price in _PRODUCTS
    )
    addresses: dict[str, tuple[str, str, str | None, str, str | None, str, str]] = {}
    for customer_id, name, email, age_days, address in _CUSTOMERS:
        session.add(
            Customer(
                id=customer_id, name=name, email=email, created_at=now - timedelta(days=age_days)
            )
        )
        addresses[customer_id] = address
    # Products and customers must exist before rows that reference them (Postgres checks
    # foreign keys per statement).
    await session.flush()
    for seed in _ORDERS:
        _add_order(session, seed, now, addresses[seed.customer_id])
    session.add_all(Article(slug=a.slug, title=a.title, tags=a.tags, body=a.body) for a in ARTICLES)
    await session.flush()
    return True


def _add_order(
    session: AsyncSession,
    seed: _OrderSeed,
    now: datetime,
    address: tuple[str, str, str | None, str, str | None, str, str],
) -> None:
    names = {sku: name for sku, name, _, _ in _PRODUCTS}
    placed_at = now - timedelta(hours=seed.placed_hours_ago)
    subtotal = sum(quantity * price for _, quantity, price in seed.lines)
    refunded = sum(amount for amount, _, _ in seed.refunds)
    order = Order(
        id=seed.order_id,
        customer_id=seed.customer_id,
        status=seed.status,
        currency=seed.currency,
        placed_at=placed_at,
        shipping_cents=seed.shipping_cents,
        total_cents=subtotal + seed.shipping_cents,
        refunded_cents=refunded,
    )
    session.add(order)
    session.add_all(
        OrderLine(
            order_id=seed.order_id,
            sku=sku,
            product_name=names[sku],
            quantity=quantity,
            unit_price_cents=price,
        )
        for sku, quantity, price in seed.lines
    )
    for index, (amount, reason, hours_after) in enumerate(seed.refunds, start=1):
        session.add(
            Refund(
                refund_key=f"seed:{seed.order_id}:{index}",
                order_id=seed.order_id,
                amount_cents=amount,
                currency=seed.currency,
                reason=reason,
                created_at=placed_at + timedelta(hours=hours_after),
            )
        )
    if seed.shipment is not None:
        session.add(_shipment(seed.order_id, seed.shipment, now, address))


def _shipment(
    order_id: str,
    seed: _ShipmentSeed,
    now: datetime,
    address: tuple[str, str, str | None, str, str | None, str, str],
) -> Shipment:
    recipient, line1, line2, city, region, postal_code, country = address

    def days_ago(days: int | None) -> datetime | None:
        return None if days is None else now - timedelta(days=days)

    return Shipment(
        order_id=order_id,
        status=seed.status,
        carrier=seed.carrier,
        tracking_number=seed.tracking_number,
        shipped_at=days_ago(seed.shipped_days_ago),
        delivered_at=days_ago(seed.delivered_days_ago),
        estimated_delivery=(
            None if seed.eta_in_days is None else (now + timedelta(days=seed.eta_in_days)).date()
        ),
        latest_event=seed.latest_event,
        recipient=recipient,
        line1=line1,
        line2=line2,
        city=city,
        region=region,
        postal_code=postal_code,
        country=country,
    )
