from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio.testing import ActivityEnvironment

from support_tools import StoreActivities, StoreDatabase

# A fixed "now" makes every seeded date, and so every expected value, predictable.
_NOW = datetime(2025, 3, 14, 15, 30, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return _NOW


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreDatabase]:
    """An empty store with its schema: a SQLite file, or the Postgres of TEST_DATABASE_URL."""
    postgres = request.param == "postgres"
    if postgres:
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.skip("Postgres store tests need TEST_DATABASE_URL=postgresql+asyncpg://...")
        db = StoreDatabase.from_url(url)
        # The database is shared between runs: start from nothing.
        await db.drop_schema()
    else:
        db = StoreDatabase.from_url(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'store.db'}")
    await db.create_schema()
    try:
        yield db
    finally:
        if postgres:
            await db.drop_schema()
        await db.dispose()


@pytest.fixture
async def seeded(database: StoreDatabase, now: datetime) -> StoreDatabase:
    assert await database.seed(now=now)
    return database


@pytest.fixture
def store(seeded: StoreDatabase, now: datetime) -> StoreActivities:
    return StoreActivities(seeded, clock=lambda: now)


@pytest.fixture
def env() -> ActivityEnvironment:
    return ActivityEnvironment()
