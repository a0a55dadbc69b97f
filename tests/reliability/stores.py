"""Store databases for the scenarios: a Postgres database of a test's own, and more to refund."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncGenerator

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine


@contextlib.asynccontextmanager
async def fresh_postgres_database(server_url: str) -> AsyncGenerator[str]:
    """A new, empty database on the server at ``server_url``, dropped at the block's end.

    Yields:
        Its URL; the workers create the store's schema and seed it there, as in production.
    """
    name = f"reliability_{uuid.uuid4().hex[:12]}"  # noqa: TID251 - test data, not workflow code
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as connection:
                # Killed workers' connections may linger a moment: FORCE ends them.
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def add_to_order_totals(database_url: str, cents: int) -> None:
    """Raise every order's total by ``cents``: room for more refunds than the seed allows.

    The seeded store holds $1,238.90 left to refund over 9 orders; a thousand conversations of
    $1-$3 each need more. Only the totals change, so every refund still goes through the same
    checks and the same few hot order rows.
    """
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE orders SET total_cents = total_cents + :cents"), {"cents": cents}
            )
    finally:
        await engine.dispose()
