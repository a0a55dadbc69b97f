from __future__ import annotations

import inspect
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from temporalio.testing import ActivityEnvironment

import support_tools
from support_tools import (
    DEFAULT_DATABASE_URL,
    CustomerRequest,
    OrderRequest,
    RefundRequest,
    StoreActivities,
    StoreDatabase,
    normalize_database_url,
)

_TABLES = ("customers", "products", "orders", "order_lines", "shipments", "refunds", "articles")


async def _row_counts(database: StoreDatabase) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with database.session() as session:
        for table in _TABLES:
            # Table names come from the constant above, never from input.
            counts[table] = (
                await session.scalar(select(func.count()).select_from(text(table)))
            ) or 0
    return counts


async def test_seed_fills_an_empty_store_once(database: StoreDatabase, now: datetime) -> None:
    assert await database.seed(now=now) is True
    first = await _row_counts(database)
    assert first == {
        "customers": 4,
        "products": 10,
        "orders": 9,
        "order_lines": 14,
        "shipments": 8,
        "refunds": 2,
        "articles": 11,
    }

    assert await database.seed(now=now) is False
    assert await database.seed() is False
    assert await _row_counts(database) == first


async def test_schema_creation_keeps_existing_data(seeded: StoreDatabase) -> None:
    before = await _row_counts(seeded)
    await seeded.create_schema()
    assert await _row_counts(seeded) == before


async def test_seeding_again_keeps_what_the_tools_changed(
    seeded: StoreDatabase, store: StoreActivities, env: ActivityEnvironment, now: datetime
) -> None:
    refund = RefundRequest("CUST-1001", "ORD-10042", 1450, "USD", "Mug chipped", "seed-test")
    await env.run(store.issue_refund, refund)

    assert await seeded.seed(now=now) is False

    order = await env.run(store.lookup_order, OrderRequest("CUST-1001", "ORD-10042"))
    assert order.refunded_cents == 1450
    assert (await _row_counts(seeded))["refunds"] == 3


async def test_seeded_orders_add_up(store: StoreActivities, env: ActivityEnvironment) -> None:
    order_ids = {
        "CUST-1001": ["ORD-10063", "ORD-10057", "ORD-10042", "ORD-10018"],
        "CUST-1002": ["ORD-10066", "ORD-10051"],
        "CUST-1003": ["ORD-10049"],
        "CUST-1004": ["ORD-10060", "ORD-10033"],
    }
    for customer_id, expected in order_ids.items():
        profile = await env.run(store.get_customer, CustomerRequest(customer_id))
        assert profile.order_count == len(expected)
        for order_id in expected:
            order = await env.run(store.lookup_order, OrderRequest(customer_id, order_id))
            items = sum(item.quantity * item.unit_price_cents for item in order.items)
            assert order.total_cents == items + order.shipping_cents
            assert 0 <= order.refunded_cents <= order.total_cents
            assert (order.shipment is None) == (order.status == "cancelled")


async def test_sqlite_file_and_its_folder_are_created(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "deeper" / "store.db"
    async with StoreDatabase.from_url(f"sqlite:///{path}") as database:
        await database.create_schema()
        assert await database.seed() is True
    assert path.is_file()


async def test_in_memory_sqlite_keeps_one_database(now: datetime) -> None:
    async with StoreDatabase.from_url("sqlite+aiosqlite://") as database:
        await database.create_schema()
        await database.seed(now=now)
        store = StoreActivities(database, clock=lambda: now)
        profile = await ActivityEnvironment().run(store.get_customer, CustomerRequest("CUST-1002"))
    assert profile.name == "Liam O'Connor"


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("sqlite:///.data/store.db", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///.data/store.db", "sqlite+aiosqlite"),
        ("postgres://app:secret@db:5432/store", "postgresql+asyncpg"),
        ("postgresql://app:secret@db/store", "postgresql+asyncpg"),
        ("postgresql+asyncpg://app:secret@db/store", "postgresql+asyncpg"),
    ],
)
def test_database_urls_get_an_async_driver(url: str, driver: str) -> None:
    assert normalize_database_url(url).drivername == driver


def test_a_malformed_database_url_says_what_to_write() -> None:
    with pytest.raises(ValueError, match="must be a SQLAlchemy URL") as error:
        normalize_database_url("not a url")
    assert DEFAULT_DATABASE_URL in str(error.value)


@pytest.mark.parametrize(
    ("url", "instead"),
    [
        ("sqlite+pysqlite:///s.db", "'sqlite+aiosqlite://'"),
        ("postgresql+psycopg2://store:db-password-5e1@db/store", "'postgresql+asyncpg://'"),
    ],
)
def test_a_synchronous_driver_is_refused_with_the_async_one_to_use(url: str, instead: str) -> None:
    with pytest.raises(ValueError, match="needs an async driver") as error:
        normalize_database_url(url)
    assert instead in str(error.value)
    assert "db-password-5e1" not in str(error.value)


@pytest.mark.parametrize(
    "url", ["store:db-password-5e1@db/store", "postgresql://u:db-password-5e1@db:port/store"]
)
def test_a_bad_database_url_never_repeats_its_password(url: str) -> None:
    with pytest.raises(ValueError) as error:
        normalize_database_url(url)
    assert "db-password-5e1" not in str(error.value)


async def test_the_database_url_hides_the_password() -> None:
    database = StoreDatabase.from_url("postgresql://app:s3cret@localhost/store")
    try:
        assert "s3cret" not in database.url
        assert database.url.startswith("postgresql+asyncpg://app:")
    finally:
        await database.dispose()


def test_public_api_is_exactly_all() -> None:
    public = {
        name
        for name, value in vars(support_tools).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert set(support_tools.__all__) == public
    assert len(support_tools.__all__) == len(set(support_tools.__all__))
