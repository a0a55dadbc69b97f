from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from agents import FunctionTool, RunContextWrapper
from agents.function_schema import function_schema
from agents.tool_context import ToolContext

from support_tools import (
    CustomerProfile,
    ReturnWindow,
    StoreActivities,
    StoreDatabase,
    SupportContext,
    check_return_window,
    format_money,
    make_refund_approval_policy,
    refund_amount_cents,
    request_fields,
    return_window,
    set_current_order,
)


async def _invoke(tool: FunctionTool, context: SupportContext, **arguments: Any) -> Any:
    raw = json.dumps(arguments)
    tool_context = ToolContext(
        context, tool_name=tool.name, tool_call_id="call-1", tool_arguments=raw
    )
    return await tool.on_invoke_tool(tool_context, raw)


def test_return_window_open_closed_and_last_day() -> None:
    delivered = date(2025, 3, 7)
    assert return_window(delivered, date(2025, 3, 14)) == ReturnWindow(
        eligible=True,
        delivered_on="2025-03-07",
        last_day="2025-04-06",
        days_left=23,
        explanation="Delivered on 2025-03-07, so it can be returned until 2025-04-06 "
        "(23 days left).",
    )
    last = return_window(delivered, date(2025, 4, 6))
    assert (last.eligible, last.days_left) == (True, 0)
    assert "today is the last day" in last.explanation
    closed = return_window(delivered, date(2025, 4, 7))
    assert (closed.eligible, closed.days_left) == (False, 0)
    assert "return window closed on 2025-04-06" in closed.explanation


def test_return_window_refuses_time_travel() -> None:
    with pytest.raises(ValueError, match=r"as_of \(2025-03-01\) is before delivered_on"):
        return_window(date(2025, 3, 7), date(2025, 3, 1))


async def test_check_return_window_tool() -> None:
    context = SupportContext("CUST-1001")
    result = await _invoke(
        check_return_window, context, delivered_on="2025-01-03", as_of="2025-03-14"
    )
    assert isinstance(result, ReturnWindow)
    assert not result.eligible
    assert check_return_window.params_json_schema["required"] == ["delivered_on", "as_of"]


async def test_check_return_window_tool_explains_bad_dates() -> None:
    result = await _invoke(
        check_return_window,
        SupportContext("CUST-1001"),
        delivered_on="last week",
        as_of="2025-03-14",
    )
    assert result == (
        "The tool could not run: delivered_on must be an ISO date like '2025-03-14', got "
        "'last week'."
    )


async def test_set_current_order_tool_updates_the_context() -> None:
    context = SupportContext("CUST-1001")
    assert await _invoke(set_current_order, context, order_id=" ord-10042") == (
        "The current order is now ORD-10042."
    )
    assert context.current_order_id == "ORD-10042"
    refused = await _invoke(set_current_order, context, order_id="ORD-1' OR '1'='1")
    assert refused.startswith("\"ORD-1' OR '1'='1\" is not a valid order id")
    assert context.current_order_id == "ORD-10042"


def test_support_context_remembers_recent_orders() -> None:
    context = SupportContext.for_customer(
        CustomerProfile("CUST-1001", "Maya Chen", "maya.chen@example.com", "2024-01-29", 4)
    )
    for number in range(10040, 10052):
        assert context.remember_order(f"ORD-{number}")
    assert context.remember_order("ORD-10045")
    assert not context.remember_order("nonsense")
    assert context.current_order_id == "ORD-10045"
    assert len(context.recent_order_ids) == 10
    assert context.recent_order_ids[-1] == "ORD-10045"
    assert context.recent_order_ids.count("ORD-10045") == 1
    assert context.describe() == (
        "Customer: Maya Chen (customer id CUST-1001). Email on file: maya.chen@example.com. "
        "Current order: ORD-10045."
    )


@pytest.mark.parametrize(
    ("arguments", "amount"),
    [
        ({"request": {"amount_cents": 12000, "order_id": "ORD-10042"}}, 12000),
        ({"amount_cents": 500, "order_id": "ORD-10042"}, 500),
        ('{"request": {"amount_cents": 700}}', 700),
        ({"request": {"amount_cents": "12000"}}, None),
        ({"request": {"amount_cents": True}}, None),
        ("not json", None),
        ("[1, 2]", None),
    ],
)
def test_refund_amount_is_read_from_either_argument_shape(
    arguments: dict[str, Any] | str, amount: int | None
) -> None:
    assert refund_amount_cents(arguments) == amount


def test_request_fields_unwrap_the_single_parameter() -> None:
    assert request_fields({"request": {"customer_id": "CUST-1001"}}) == {"customer_id": "CUST-1001"}
    assert request_fields({"customer_id": "CUST-1001", "limit": 3}) == {
        "customer_id": "CUST-1001",
        "limit": 3,
    }


async def test_refund_approval_policy() -> None:
    needs_approval = make_refund_approval_policy(10_000)
    context = RunContextWrapper(SupportContext("CUST-1001"))
    order = {"order_id": "ORD-10042"}
    assert not await needs_approval(context, {"request": {**order, "amount_cents": 10_000}}, "c1")
    other = {"order_id": "ORD-10057", "amount_cents": 10_001}
    assert await needs_approval(context, {"request": other}, "call-2")
    # When the amount or the order cannot be read, a person decides.
    assert await needs_approval(context, {"request": order}, "call-3")
    assert await needs_approval(context, {"request": {"amount_cents": 1}}, "call-4")


def test_format_money() -> None:
    assert format_money(27800, "USD") == "$278.00"
    assert format_money(5, "gbp") == "£0.05"
    assert format_money(123456789, "EUR") == "€1,234,567.89"
    assert format_money(-250, "USD") == "-$2.50"
    assert format_money(1000, "CHF") == "10.00 CHF"


async def test_every_activity_makes_a_strict_tool_schema(tmp_path: Any) -> None:
    database = StoreDatabase.from_url(f"sqlite+aiosqlite:///{tmp_path / 'schema.db'}")
    try:
        activities = StoreActivities(database).all()
        # Temporal keeps the definition on this attribute and offers no public accessor.
        definition = "__temporal_activity_definition"
        names = [getattr(a, definition).name for a in activities]
        assert names == [
            "support.get_customer",
            "support.lookup_order",
            "support.list_recent_orders",
            "support.track_shipment",
            "support.search_help_centre",
            "support.change_shipping_address",
            "support.issue_refund",
        ]
        for activity in activities:
            schema = function_schema(activity, strict_json_schema=True)
            assert schema.description
            request = schema.params_json_schema["properties"]["request"]
            fields = request["properties"]
            assert all(field.get("description") for field in fields.values()), schema.name
            assert set(request["required"]) == set(fields)
        refund = function_schema(StoreActivities(database).issue_refund)
        assert "NEED APPROVAL" in (refund.description or "")
        address = function_schema(StoreActivities(database).change_shipping_address)
        assert "NEEDS APPROVAL" in (address.description or "")
    finally:
        await database.dispose()
