"""The store database: an async SQLAlchemy engine with schema creation and demo seeding."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import StaticPool

from ._schema import Base
from ._seed import seed_store

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///.data/store.db"
"""A SQLite file under `.data/` relative to the working directory; the folder is created."""

_EXAMPLES = f"{DEFAULT_DATABASE_URL!r} or 'postgresql+asyncpg://user:password@localhost:5432/store'"

# URLs as people and platforms write them, mapped to the async driver this package ships with.
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
}
# Synchronous drivers the store cannot use, mapped to what to write instead.
_SYNC_DRIVERS = {
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "postgresql+psycopg2cffi": "postgresql+asyncpg",
}


def normalize_database_url(url: str) -> URL:
    """Parse a database URL and give a bare `sqlite://` or `postgres://` URL its async driver.

    Args:
        url: A SQLAlchemy URL, e.g. `sqlite+aiosqlite:///.data/store.db` or
            `postgresql://user:password@localhost/store`; surrounding spaces are ignored.

    Raises:
        ValueError: The URL cannot be parsed, or names a synchronous driver; the message shows
            what to write, and never repeats the URL (it may hold a password).
    """
    text = url.strip()
    scheme, separator, _ = text.partition("://")
    if not separator or not scheme:
        raise ValueError(f"must be a SQLAlchemy URL with a scheme, such as {_EXAMPLES}")
    replacement = _SYNC_DRIVERS.get(scheme.lower())
    if replacement is not None:
        raise ValueError(
            f"the store needs an async driver: write {replacement + '://'!r} instead of "
            f"{scheme + '://'!r}"
        )
    try:
        parsed = make_url(text)
    except (ArgumentError, ValueError):
        raise ValueError(f"cannot parse the database URL; use e.g. {_EXAMPLES}") from None
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    return parsed.set(drivername=driver) if driver is not None else parsed


def _create_private_file(path: Path) -> None:
    """Create the SQLite file (and its folder) readable by its owner only, if it is missing.

    The store holds customers' names, emails and addresses; SQLite would create the file with
    the umask's mode (usually world-readable), and its journal files copy the file's mode.
    """
    if path.exists():
        return
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


class StoreDatabase:
    """The store's database: customers, products, orders, shipments, refunds and articles.

    Example:
        ```python
        database = StoreDatabase.from_url("sqlite+aiosqlite:///.data/store.db")
        await database.create_schema()
        await database.seed()
        ...
        await database.dispose()
        ```
    """

    def __init__(self, engine: AsyncEngine) -> None:
        """Wrap an existing engine; most callers want `StoreDatabase.from_url`."""
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str = DEFAULT_DATABASE_URL, *, echo: bool = False) -> StoreDatabase:
        """Open the database at `url`, creating the folder of a SQLite file if needed.

        Nothing connects until the first query, so this never fails on an unreachable server.

        Args:
            url: SQLAlchemy URL; see `normalize_database_url` for the accepted forms. An
                in-memory SQLite URL (`sqlite+aiosqlite://`) keeps one shared connection.
            echo: Log every SQL statement (for debugging).
        """
        parsed = normalize_database_url(url)
        options: dict[str, Any] = {"echo": echo}
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database in ("", ":memory:"):
                # Each new connection to ":memory:" is a new, empty database: share one.
                options["poolclass"] = StaticPool
            elif not database.startswith("file:"):
                _create_private_file(Path(database))
        else:
            # Survive database restarts and idle connections closed by proxies.
            options["pool_pre_ping"] = True
        engine = create_async_engine(parsed, **options)
        if parsed.get_backend_name() == "sqlite":
            event.listen(engine.sync_engine, "connect", _enable_sqlite_foreign_keys)
        return cls(engine)

    @property
    def engine(self) -> AsyncEngine:
        """The SQLAlchemy engine."""
        return self._engine

    @property
    def url(self) -> str:
        """The database URL with any password hidden, safe to log."""
        return self._engine.url.render_as_string(hide_password=True)

    def session(self) -> AsyncSession:
        """A new ORM session; use it as `async with database.session() as session:`."""
        return self._sessions()

    async def create_schema(self) -> None:
        """Create the tables that do not exist yet (existing tables and data are kept)."""
        async with self._engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)

    async def drop_schema(self) -> None:
        """Drop every store table and its data (to reset the demo or between tests)."""
        async with self._engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)

    async def seed(self, *, now: datetime | None = None) -> bool:
        """Add the demo data if the store is empty; running it again changes nothing.

        Args:
            now: The moment demo dates are relative to; the current time when omitted.

        Returns:
            True if this call added the data, False if it was already there (or another
            process added it at the same moment).
        """
        moment = datetime.now(UTC) if now is None else now
        try:
            async with self.session() as session, session.begin():
                return await seed_store(session, moment)
        except IntegrityError:
            # Another worker replica seeded concurrently and won; its data is the same.
            return False

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self._engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.dispose()


def _enable_sqlite_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    # SQLite ignores foreign keys unless each connection asks for them.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
