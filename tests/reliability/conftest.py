"""The store the reliability scenarios run against: a SQLite file, or a Postgres database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests import postgres_server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """TEST_DATABASE_URL, else a throwaway server from the machine's Postgres; else skip."""
    with postgres_server.url_for_tests() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def store_url(request: pytest.FixtureRequest) -> AsyncIterator[str | None]:
    """None for the worker's SQLite file (`WorkerConfig`), or a new Postgres database's URL.

    Postgres is what the compose and k8s files deploy: the scenarios that take this fixture
    check the store's exactly-once refunds on both.
    """
    if request.param == "sqlite":
        yield None
        return
    # Imported here: the desk's scenarios, which run without the example, never need it.
    from tests.reliability.stores import fresh_postgres_database

    async with fresh_postgres_database(request.getfixturevalue("postgres_url")) as url:
        yield url
