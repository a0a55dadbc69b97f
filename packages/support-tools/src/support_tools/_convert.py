"""Rows to results: the only place that knows both the tables and the tool messages."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from ._messages import (
    OrderDetails,
    OrderItem,
    OrderStatus,
    OrderSummary,
    RefundResult,
    ShipmentInfo,
    ShipmentStatus,
    ShippingAddress,
)
from ._money import format_money
from ._schema import Order, Refund, Shipment


def iso_date(value: datetime | date | None) -> str | None:
    """The ISO date of `value` (dates of timestamps are taken in UTC), or None."""
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def address_of(shipment: Shipment) -> ShippingAddress:
    """The address a shipment goes to."""
    return ShippingAddress(
        recipient=shipment.recipient,
        line1=shipment.line1,
        line2=shipment.line2,
        city=shipment.city,
        region=shipment.region,
        postal_code=shipment.postal_code,
        country=shipment.country,
    )


def shipment_info(shipment: Shipment) -> ShipmentInfo:
    """Tracking details of a shipment."""
    return ShipmentInfo(
        order_id=shipment.order_id,
        # The column only ever holds values written from the Literal, by the seed or the tools.
        status=cast(ShipmentStatus, shipment.status),
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        shipped_on=iso_date(shipment.shipped_at),
        estimated_delivery=iso_date(shipment.estimated_delivery),
        delivered_on=iso_date(shipment.delivered_at),
        latest_event=shipment.latest_event,
        ship_to=address_of(shipment),
    )


def order_details(order: Order, *, today: date) -> OrderDetails:
    """Everything about an order whose lines and shipment are loaded."""
    items = [
        OrderItem(
            sku=line.sku,
            product_name=line.product_name,
            quantity=line.quantity,
            unit_price_cents=line.unit_price_cents,
            line_total_cents=line.quantity * line.unit_price_cents,
        )
        for line in order.lines
    ]
    return OrderDetails(
        order_id=order.id,
        customer_id=order.customer_id,
        status=cast(OrderStatus, order.status),
        placed_on=order.placed_at.date().isoformat(),
        currency=order.currency,
        items=items,
        shipping_cents=order.shipping_cents,
        total_cents=order.total_cents,
        refunded_cents=order.refunded_cents,
        refundable_cents=order.total_cents - order.refunded_cents,
        total_display=format_money(order.total_cents, order.currency),
        shipment=None if order.shipment is None else shipment_info(order.shipment),
        as_of=today.isoformat(),
    )


def order_summary(order: Order, item_count: int) -> OrderSummary:
    """One line of an order list."""
    return OrderSummary(
        order_id=order.id,
        status=cast(OrderStatus, order.status),
        placed_on=order.placed_at.date().isoformat(),
        item_count=item_count,
        total_cents=order.total_cents,
        currency=order.currency,
        total_display=format_money(order.total_cents, order.currency),
    )


def refund_result(refund: Refund, *, remaining_cents: int, already_processed: bool) -> RefundResult:
    """The result of issuing (or finding again) a refund."""
    return RefundResult(
        refund_id=refund.public_id,
        refund_key=refund.refund_key,
        order_id=refund.order_id,
        amount_cents=refund.amount_cents,
        currency=refund.currency,
        amount_display=format_money(refund.amount_cents, refund.currency),
        reason=refund.reason,
        issued_at=refund.created_at.isoformat(),
        remaining_refundable_cents=remaining_cents,
        already_processed=already_processed,
    )
