"""Tables of the store database (SQLAlchemy 2.0 ORM, portable between SQLite and Postgres).

Money columns hold integer cents of the order's currency. Timestamps are stored in UTC and
always read back timezone-aware, whatever the database does with time zones.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC that is always read back timezone-aware.

    SQLite has no time zones and returns naive values; Postgres returns aware ones. Normalizing
    here keeps comparisons and ISO output identical on both.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timestamps with a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of the store tables."""


class Customer(Base):
    """A shopper with an account."""

    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    orders: Mapped[list[Order]] = relationship(back_populates="customer", lazy="raise")


class Product(Base):
    """Something the store sells."""

    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(50))
    price_cents: Mapped[int] = mapped_column(Integer)
    """List price in USD cents; order lines record what was actually charged."""


class Order(Base):
    """A purchase: its lines, at most one shipment, and any refunds."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("refunded_cents >= 0", name="ck_orders_refunded_nonnegative"),
        CheckConstraint("refunded_cents <= total_cents", name="ck_orders_refund_within_total"),
    )

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    shipping_cents: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(Integer)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    """Sum of this order's refunds, kept in step with them so that one conditional UPDATE can
    guard against refunding more than was paid, even under concurrent refunds."""

    customer: Mapped[Customer] = relationship(back_populates="orders", lazy="raise")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", lazy="raise", order_by="OrderLine.id"
    )
    shipment: Mapped[Shipment | None] = relationship(back_populates="order", lazy="raise")


class OrderLine(Base):
    """One product and quantity within an order, at the price charged."""

    __tablename__ = "order_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="ck_order_lines_quantity_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    product_name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(Integer)

    order: Mapped[Order] = relationship(back_populates="lines", lazy="raise")


class Shipment(Base):
    """The parcel of an order, with the address it goes to."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    carrier: Mapped[str] = mapped_column(String(40))
    tracking_number: Mapped[str | None] = mapped_column(String(40))
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    estimated_delivery: Mapped[date | None] = mapped_column(Date)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    latest_event: Mapped[str] = mapped_column(String(300))
    recipient: Mapped[str] = mapped_column(String(100))
    line1: Mapped[str] = mapped_column(String(120))
    line2: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80))
    region: Mapped[str | None] = mapped_column(String(80))
    postal_code: Mapped[str] = mapped_column(String(12))
    country: Mapped[str] = mapped_column(String(2))

    order: Mapped[Order] = relationship(back_populates="shipment", lazy="raise")


class Refund(Base):
    """Money returned to the customer for an order.

    `refund_key` is unique: a retried request with the same key finds the first refund instead
    of paying again.
    """

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="ck_refunds_amount_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    refund_key: Mapped[str] = mapped_column(String(200), unique=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def public_id(self) -> str:
        """The id shown to people, like 'RF-000007'."""
        return f"RF-{self.id:06d}"


class Article(Base):
    """A help-centre article."""

    __tablename__ = "articles"

    slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    tags: Mapped[str] = mapped_column(String(300))
    """Space-separated keywords that are not necessarily in the text."""
    body: Mapped[str] = mapped_column(Text)
