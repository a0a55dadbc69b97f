"""The console's starter prompts and the demo customer it names match the demo data."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from support_agents import app
from support_tools import DEMO_CUSTOMER_ID, StoreDatabase
from support_tools._schema import Order


async def test_every_order_the_app_names_is_the_demo_customers(tmp_path: Path) -> None:
    database = StoreDatabase.from_url(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    try:
        await database.create_schema()
        await database.seed()
        async with database.session() as session:
            owners = {
                order_id: (await session.get(Order, order_id))
                for order_id in _orders_named(app.starter_prompts, app.metadata["playing_as"])
            }
    finally:
        await database.dispose()
    assert owners
    assert {k: o.customer_id if o else None for k, o in owners.items()} == dict.fromkeys(
        owners, DEMO_CUSTOMER_ID
    )


def _orders_named(prompts: Sequence[str], *texts: str) -> set[str]:
    return {order for text in [*prompts, *texts] for order in re.findall(r"ORD-\d+", text)}
