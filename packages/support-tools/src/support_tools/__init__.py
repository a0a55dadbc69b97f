"""Customer-support tools over the example store database.

- `StoreDatabase`: the async SQLAlchemy store (SQLite file by default, Postgres by URL) with
  `create_schema()`, idempotent `seed()` and `dispose()`.
- `StoreActivities`: the I/O tools as Temporal activities named `support.*`, each taking one
  request dataclass and returning one result dataclass; wrap them with `activity_as_tool`.
- `check_return_window` and `set_current_order`: pure Agents SDK function tools that run in the
  workflow.
- `SupportContext`: the run context shared by agents, tools and guardrails.

Money is always an integer number of cents (minor units) of the order's currency.
"""

from ._activities import StoreActivities
from ._approval import (
    ApprovalPolicy,
    make_refund_approval_policy,
    refund_amount_cents,
    request_fields,
)
from ._articles import RETURN_WINDOW_DAYS, STORE_NAME, STORE_SUPPORT_EMAIL
from ._context import SupportContext, set_current_order
from ._database import DEFAULT_DATABASE_URL, StoreDatabase, normalize_database_url
from ._messages import (
    AddressChangeResult,
    ArticleHit,
    ArticleSearchResult,
    ChangeShippingAddressRequest,
    CustomerProfile,
    CustomerRequest,
    ListOrdersRequest,
    OrderDetails,
    OrderItem,
    OrderList,
    OrderRequest,
    OrderStatus,
    OrderSummary,
    RefundRequest,
    RefundResult,
    SearchArticlesRequest,
    ShipmentInfo,
    ShipmentStatus,
    ShippingAddress,
)
from ._money import format_money, parse_amount
from ._returns import ReturnWindow, check_return_window, return_window
from ._seed import DEMO_CUSTOMER_ID
from ._validation import INVALID_TOOL_ARGUMENT, NOT_ALLOWED, NOT_FOUND

__all__ = [
    "DEFAULT_DATABASE_URL",
    "DEMO_CUSTOMER_ID",
    "INVALID_TOOL_ARGUMENT",
    "NOT_ALLOWED",
    "NOT_FOUND",
    "RETURN_WINDOW_DAYS",
    "STORE_NAME",
    "STORE_SUPPORT_EMAIL",
    "AddressChangeResult",
    "ApprovalPolicy",
    "ArticleHit",
    "ArticleSearchResult",
    "ChangeShippingAddressRequest",
    "CustomerProfile",
    "CustomerRequest",
    "ListOrdersRequest",
    "OrderDetails",
    "OrderItem",
    "OrderList",
    "OrderRequest",
    "OrderStatus",
    "OrderSummary",
    "RefundRequest",
    "RefundResult",
    "ReturnWindow",
    "SearchArticlesRequest",
    "ShipmentInfo",
    "ShipmentStatus",
    "ShippingAddress",
    "StoreActivities",
    "StoreDatabase",
    "SupportContext",
    "check_return_window",
    "format_money",
    "make_refund_approval_policy",
    "normalize_database_url",
    "parse_amount",
    "refund_amount_cents",
    "request_fields",
    "return_window",
    "set_current_order",
]
