"""A throwaway PostgreSQL server for tests, started from the machine's own Postgres binaries.

Tests that need Postgres take its URL from ``TEST_DATABASE_URL`` when set; otherwise they start
one of these (Debian's ``postgresql`` package, or any ``initdb`` on PATH), so ``uv run pytest``
exercises Postgres wherever it is installed. With neither, those tests skip, unless
``REQUIRE_POSTGRES=1`` (CI sets it) turns the skip into a failure: a CI run that silently
skipped every Postgres variant would prove nothing about the database we deploy.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Generator
from pathlib import Path

import pytest

REQUIRE_ENV = "REQUIRE_POSTGRES"
URL_ENV = "TEST_DATABASE_URL"
_STARTUP_SECONDS = 60.0


def binaries() -> Path | None:
    """The folder holding ``initdb`` and ``postgres``: on PATH, else Debian's newest; or None."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3])
    )
    return debian[-1].parent if debian else None


def required() -> bool:
    """Whether a missing Postgres fails the tests that need it instead of skipping them."""
    return os.environ.get(REQUIRE_ENV) == "1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    # Linux: the server gets SIGTERM if the test process dies without stopping it.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)


def _as_postgres_user(command: list[str]) -> list[str]:
    """Postgres refuses to run as root: when we are root, run it as the ``postgres`` user."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextlib.contextmanager
def postgres_server() -> Generator[str]:
    """Run a fresh Postgres cluster in a temporary folder for the duration of the block.

    Yields:
        Its SQLAlchemy URL (``postgresql+asyncpg://postgres@127.0.0.1:<port>/postgres``).

    Raises:
        RuntimeError: No Postgres binaries, or the server did not start (its log is included).
    """
    bindir = binaries()
    if bindir is None:
        raise RuntimeError(
            "no Postgres binaries found: install Debian's `postgresql` package (or put initdb "
            f"on PATH), or set {URL_ENV}=postgresql+asyncpg://user:password@host:port/db"
        )
    folder = Path(tempfile.mkdtemp(prefix="test-postgres-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    data, log = folder / "data", folder / "server.log"
    subprocess.run(
        _as_postgres_user(
            [
                str(bindir / "initdb"),
                *("-D", str(data), "-U", "postgres", "--auth=trust"),
                *("-E", "UTF8", "--no-sync", "--no-instructions"),
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    # Durability settings off: a test database is thrown away, and fsync on a shared CI disk
    # is what makes Postgres slow to test against.
    command = [str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(folder)]
    for setting in (
        "listen_addresses=127.0.0.1",
        "fsync=off",
        "synchronous_commit=off",
        "full_page_writes=off",
        "max_connections=200",
    ):
        command += ["-c", setting]
    with log.open("wb") as out:
        server = subprocess.Popen(
            _as_postgres_user(command),
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
    try:
        _wait_until_ready(server, port, log)
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def url_for_tests() -> Generator[str]:
    """``TEST_DATABASE_URL``, else a throwaway server for the block; else skip the test.

    For session fixtures. Without Postgres the test skips, or fails under ``REQUIRE_POSTGRES=1``.
    """
    url = os.environ.get(URL_ENV)
    if url:
        yield url
        return
    if binaries() is None:
        message = (
            "Postgres tests need Postgres: install Debian's `postgresql` package, or set "
            f"{URL_ENV}=postgresql+asyncpg://user:password@host:port/db"
        )
        if required():
            pytest.fail(f"{REQUIRE_ENV}=1 but {message}")
        pytest.skip(message)
    with postgres_server() as started:
        yield started


def _wait_until_ready(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + _STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"Postgres exited with {server.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            # Accepting connections is not yet ready to serve: a query during recovery fails.
            if "ready to accept connections" in log.read_text():
                return
        time.sleep(0.05)
    seconds = f"{_STARTUP_SECONDS:.0f}"
    raise RuntimeError(f"Postgres did not start within {seconds} s:\n{log.read_text()}")
