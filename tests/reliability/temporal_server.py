"""A Temporal dev server of the test's own, that it can SIGKILL and start again.

The session's server is shared by every test, so killing it is not an option. This one keeps
its state in a SQLite file and comes back on the same port, as a real server would after a
crash: clients and workers reconnect to the same address and find their workflows.
"""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta
from pathlib import Path

from temporalio.client import Client

from agents_temporal.testing import dev_server_config_args, temporal_cli_path
from tests.reliability.processes import sigkill


def free_port() -> int:
    """A TCP port nothing listens on right now (random, so parallel test runs do not clash)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class KillableTemporalServer:
    """``temporal server start-dev`` with a database file, on a fixed random port."""

    def __init__(self, database_file: Path, log_file: Path) -> None:
        self.port = free_port()
        self._database_file = database_file
        self._log_file = log_file
        self._process: asyncio.subprocess.Process | None = None
        self.starts = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Start the server and wait until it answers on its port."""
        args = [
            "server",
            "start-dev",
            "--db-filename",
            str(self._database_file),
            "--ip",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--headless",
            "--log-level",
            "error",
            *dev_server_config_args(),
        ]
        with self._log_file.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                temporal_cli_path(), *args, stdout=log, stderr=log
            )
        self.starts += 1
        await self._wait_until_serving()

    async def _wait_until_serving(self) -> None:
        process = self._process
        assert process is not None
        async with asyncio.timeout(60):
            while True:
                if process.returncode is not None:
                    raise RuntimeError(
                        f"temporal server exited with {process.returncode}; see {self._log_file}"
                    )
                try:
                    client = await Client.connect(self.address)
                    await client.service_client.check_health(timeout=timedelta(seconds=2))
                    return
                except Exception:  # refused, or up but not serving yet: both mean "not yet"
                    # Polling the port: the server says nothing else when it is ready.
                    await asyncio.sleep(0.2)

    async def kill(self) -> None:
        """SIGKILL: no shutdown, whatever was in memory only is gone."""
        process = self._process
        if process is None:
            return
        await sigkill(process)
        self._process = None

    async def stop(self) -> None:
        """Stop it at the end of a test (politely first, so it leaves no lock behind)."""
        process = self._process
        if process is None or process.returncode is not None:
            self._process = None
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except TimeoutError:
            await self.kill()
        self._process = None
