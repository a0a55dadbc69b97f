from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio.testing import ActivityEnvironment

from support_tools import StoreActivities, StoreDatabase
from tests import postgres_server

# A fixed "now" makes every seeded date, and so every expected value, predictable.
_NOW = datetime(2025, 3, 14, 15, 30, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return _NOW


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """TEST_DATABASE_URL, else a throwaway server from the machine's Postgres; else skip."""
    with postgres_server.url_for_tests() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreDatabase]:
    """An empty store with its schema: a SQLite file, or a Postgres server (see postgres_url)."""
    postgres = request.param == "postgres"
    if postgres:
        db = StoreDatabase.from_url(request.getfixturevalue("postgres_url"))
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
