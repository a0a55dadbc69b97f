"""Local data is its owner's only, and local-only servers listen on this machine only.

The payload directory holds conversations (plaintext unless encryption is on), the store's
SQLite file holds customers' names, emails and addresses, and the dev stack's data directory
holds both and Temporal's database. Once, ``store.db`` was created world-readable.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_stack.health import HealthServer
from agent_stack.settings import Settings
from agents_temporal import LocalStorageDriver
from devstack._stack import make_private_dir
from support_tools import StoreDatabase


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    # The common default, under which a plain mkdir or open makes things readable by all.
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


async def test_stored_payloads_are_the_owners_only(tmp_path: Path) -> None:
    root = tmp_path / "data" / "payloads"
    driver = LocalStorageDriver(root)
    await driver.put_blob("default/conversation-1/abc", b"my address is 221B Baker Street")
    for directory in (root, root / "default", root / "default" / "conversation-1"):
        assert mode(directory) == 0o700, directory
    assert mode(root / "default" / "conversation-1" / "abc") == 0o600


async def test_the_store_database_file_is_the_owners_only(tmp_path: Path) -> None:
    path = tmp_path / ".data" / "store.db"
    database = StoreDatabase.from_url(f"sqlite+aiosqlite:///{path}")
    try:
        await database.create_schema()
        await database.seed()
    finally:
        await database.dispose()
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600


def test_the_dev_data_directory_is_made_the_owners_only(tmp_path: Path) -> None:
    fresh, existing = tmp_path / "fresh" / ".data", tmp_path / "existing"
    existing.mkdir(mode=0o755)
    make_private_dir(fresh)
    make_private_dir(existing)
    assert mode(fresh) == 0o700
    assert mode(existing) == 0o700


async def test_the_health_server_listens_on_loopback_unless_configured() -> None:
    assert Settings(_env_file=None).worker_health_host == "127.0.0.1"  # pyright: ignore[reportCallIssue]
    async with HealthServer(0, lambda: True) as server:
        sockets = server._server.sockets if server._server else ()  # pyright: ignore[reportPrivateUsage]
        assert [s.getsockname()[0] for s in sockets] == ["127.0.0.1"]
