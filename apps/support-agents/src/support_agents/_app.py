"""The support app object that workers and consoles discover."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from typing import Any

from agents_temporal.apps import AgentApp, AgentInfo
from support_agents._agents import FAQ, ORDERS, REFUNDS, TRIAGE
from support_agents._offline_model import OfflineSupportModelProvider
from support_agents._workflow import SupportConversation
from support_tools import StoreActivities, StoreDatabase, StoreSettings


@contextlib.asynccontextmanager
async def store_activities(
    environ: Mapping[str, str],
) -> AsyncGenerator[Sequence[Callable[..., Any]]]:
    """Open the store database (creating and seeding it on first start) for the worker."""
    settings = StoreSettings.from_env(environ)
    database = StoreDatabase.from_url(settings.database_url)
    try:
        await database.create_schema()
        await database.seed()
        yield StoreActivities(database).all()
    finally:
        await database.dispose()


app = AgentApp(
    name="support",
    title="Customer support",
    description="Customer support for the Juniper Goods online store: orders, deliveries, "
    "refunds (with approvals) and store policies.",
    conversation_workflow=SupportConversation,
    workflows=[SupportConversation],
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
        "I'd like a refund of $150 on order ORD-10017.",
        "What is your return policy?",
    ],
    offline_model_provider=OfflineSupportModelProvider,
)
