"""The support app object that workers and consoles discover."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from typing import Any

from agents.mcp import MCPServerStdio, MCPServerStdioParams
from temporalio import activity

from agents_temporal.apps import AgentApp, AgentInfo
from support_agents._agents import FAQ, HELP_CENTRE_MCP, ORDERS, REFUNDS, TRIAGE
from support_agents._offline_model import OfflineSupportModelProvider
from support_agents._policy import REFUND_POLICY_ACTIVITY, RefundPolicy
from support_agents._settings import SupportSettings
from support_agents._workflow import DEMO_CUSTOMER_NAME, SupportConversation
from support_tools import DEMO_CUSTOMER_ID, StoreActivities, StoreDatabase


def _policy_activity(policy: RefundPolicy) -> Callable[..., Any]:
    @activity.defn(name=REFUND_POLICY_ACTIVITY)
    async def refund_policy() -> RefundPolicy:
        """The worker's refund limits, recorded once when a conversation starts."""
        return policy

    return refund_policy


@contextlib.asynccontextmanager
async def store_activities(
    settings: SupportSettings,
) -> AsyncGenerator[Sequence[Callable[..., Any]]]:
    """Open the store database (creating and seeding it on first start) for the worker."""
    database = StoreDatabase.from_url(settings.database_url)
    try:
        await database.create_schema()
        await database.seed()
        yield [*StoreActivities(database).all(), _policy_activity(settings.refund_policy())]
    finally:
        await database.dispose()


def help_centre_servers(settings: SupportSettings) -> Mapping[str, Callable[[], MCPServerStdio]]:
    """The help-centre MCP server, when SUPPORT_HELP_CENTRE_MCP is true."""
    if not settings.support_help_centre_mcp:
        return {}

    def server() -> MCPServerStdio:
        # The server gets the store's URL and nothing else of the worker's environment (the
        # MCP client adds only HOME, PATH and the like): no model key or encryption key
        # reaches a process that needs none.
        params: MCPServerStdioParams = {
            "command": sys.executable,
            "args": ["-m", "support_tools.help_centre_mcp"],
            "env": {"DATABASE_URL": settings.database_url},
        }
        return MCPServerStdio(name=HELP_CENTRE_MCP, params=params)

    return {HELP_CENTRE_MCP: server}


app = AgentApp(
    name="support",
    title="Customer support",
    description="Customer support for the Juniper Goods online store: orders, deliveries, "
    "refunds (with approvals) and store policies.",
    conversation_workflow=SupportConversation,
    workflows=[SupportConversation],
    settings=SupportSettings,
    activities=store_activities,
    agents=[
        AgentInfo(TRIAGE, "Finds out what the customer needs.", (ORDERS, REFUNDS, FAQ)),
        AgentInfo(
            ORDERS,
            "Orders, tracking and address changes.",
            (TRIAGE,),
            ("lookup_order", "list_recent_orders", "track_shipment", "change_shipping_address"),
        ),
        AgentInfo(REFUNDS, "Refunds and returns.", (TRIAGE,), ("lookup_order", "issue_refund")),
        AgentInfo(FAQ, "Store policies from the help centre.", (TRIAGE,), ("search_help_centre",)),
    ],
    starter_prompts=[
        "Where is my order ORD-10042?",
        "I'd like a refund of $150 on order ORD-10042.",
        "What is your return policy?",
    ],
    mcp_servers=help_centre_servers,
    metadata={
        # The console tells the operator whom the demo conversations are with.
        "playing_as": f"the demo customer {DEMO_CUSTOMER_NAME} ({DEMO_CUSTOMER_ID}), whose "
        "orders are ORD-10018, ORD-10042, ORD-10057 and ORD-10063",
    },
    offline_model_provider=OfflineSupportModelProvider,
    # The workflow module imports the tools and guardrails (and through them SQLAlchemy):
    # shared with the worker, a new conversation starts in milliseconds instead of a second.
    sandbox_passthrough_modules=["support_tools", "support_guardrails", "sqlalchemy", "aiosqlite"],
)
