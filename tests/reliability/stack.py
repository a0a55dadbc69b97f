"""The support app's worker, in this process or as `worker` processes, and a client for it."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from agent_stack.connection import data_converter
from agent_stack.settings import Settings
from agent_worker._run import run_worker, workflow_runner
from agents_temporal import OpenAIAgentsPlugin
from support_agents import SupportSettings, app
from tests.reliability.processes import sigkill

READY_LINE = b"agent worker ready"


@dataclass(frozen=True)
class WorkerConfig:
    """Where a worker finds Temporal, its task queue, its store and its payloads."""

    temporal_address: str
    task_queue: str
    tmp_path: Path
    environ: Mapping[str, str] = field(default_factory=dict[str, str])
    """More environment variables (for example the OpenAI ones)."""
    store_url: str | None = None
    """The store's database (Postgres, say); None for a SQLite file under ``tmp_path``."""

    @property
    def database_url(self) -> str:
        if self.store_url is not None:
            return self.store_url
        return f"sqlite+aiosqlite:///{self.tmp_path / 'store.db'}"

    def env(self) -> dict[str, str]:
        """The worker's environment variables; the offline model unless ``environ`` says else."""
        return {
            "TEMPORAL_ADDRESS": self.temporal_address,
            "TEMPORAL_TASK_QUEUE": self.task_queue,
            "DATABASE_URL": self.database_url,
            "PAYLOAD_STORAGE_DIR": str(self.tmp_path / "payloads"),
            "OPENAI_API_KEY": "",
            "MODEL": "",
            **self.environ,
        }

    def settings(self) -> Settings:
        # Empty values mean "unset", as they do in the environment; no .env file is read.
        values: dict[str, Any] = {k: v or None for k, v in self.env().items()}
        values["_env_file"] = None
        return Settings(**values)

    def app_settings(self) -> SupportSettings:
        """The support app's own settings, from the same variables as `settings`."""
        values: dict[str, Any] = {k: v or None for k, v in self.env().items()}
        values["_env_file"] = None
        return SupportSettings(**values)


async def connect_client(config: WorkerConfig) -> Client:
    """A client that reads what the worker writes (same payload store, same plugin)."""
    settings = config.settings()
    return await Client.connect(
        settings.temporal_address,
        data_converter=data_converter(settings),
        plugins=[OpenAIAgentsPlugin()],
    )


@contextlib.asynccontextmanager
async def in_process_worker(config: WorkerConfig) -> AsyncGenerator[io.StringIO]:
    """The worker app's own run loop serving the support app, until the block ends."""
    stop = asyncio.Event()
    ready = asyncio.Event()
    output = io.StringIO()
    worker = asyncio.create_task(
        run_worker(
            config.settings(),
            [app],
            app_settings={"support": config.app_settings()},
            stop=stop,
            ready_event=ready,
            out=output,
        )
    )
    waiting = asyncio.create_task(ready.wait())
    async with asyncio.timeout(60):
        await asyncio.wait([worker, waiting], return_when="FIRST_COMPLETED")
    waiting.cancel()
    if worker.done():
        worker.result()  # raises what stopped it
    async with _stopped_at_exit(worker, stop.set, within=90):
        yield output


@contextlib.asynccontextmanager
async def _stopped_at_exit(
    running: asyncio.Task[None], stop: Callable[[], object], *, within: float
) -> AsyncGenerator[None]:
    """At the block's end, ``stop()`` the worker and wait for ``running`` to end.

    After a failure in the block, the failure is what matters: a worker slow to stop gets 15 s,
    then is cancelled, so that it cannot hold the test until its timeout ends the whole run
    before the failure is shown. After success it gets ``within`` seconds.

    Raises:
        AssertionError: After success, the worker had to be cancelled.
    """
    try:
        yield
    except BaseException:
        stop()
        await _wait_or_cancel(running, 15)
        raise
    stop()
    if not await _wait_or_cancel(running, within):
        raise AssertionError(f"the worker did not stop within {within:.0f} s")
    running.result()


async def _wait_or_cancel(running: asyncio.Task[None], seconds: float) -> bool:
    """True when ``running`` ended within ``seconds``; else it is cancelled (briefly awaited)."""
    await asyncio.wait({running}, timeout=seconds)
    if running.done():
        return True
    running.cancel()
    await asyncio.wait({running}, timeout=10)
    return False


@contextlib.asynccontextmanager
async def plugin_worker(config: WorkerConfig, plugin: OpenAIAgentsPlugin) -> AsyncGenerator[None]:
    """The support app's workflows and activities on a worker configured by ``plugin``.

    For model activity options that the worker app has no setting for (a retry policy).
    """
    client = await Client.connect(
        config.temporal_address,
        data_converter=data_converter(config.settings()),
        plugins=[plugin],
    )
    async with app.worker_activities(config.app_settings()) as activities:
        worker = Worker(
            client,
            task_queue=config.task_queue,
            workflows=list(app.workflows),
            activities=list(activities),
            workflow_runner=workflow_runner([app]),
        )
        running = asyncio.create_task(worker.run())
        shutdowns: list[asyncio.Task[None]] = []
        async with _stopped_at_exit(
            running, lambda: shutdowns.append(asyncio.create_task(worker.shutdown())), within=60
        ):
            yield


class WorkerProcess:
    """One `worker` command in a process of its own, started and killed by the test."""

    def __init__(self, config: WorkerConfig, log: Path) -> None:
        self._config = config
        self._log = log
        self._process: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        """The process id while it runs (Temporal names the worker ``<pid>@<host>``)."""
        return None if self._process is None else self._process.pid

    async def start(self) -> None:
        """Start it and wait until it polls its task queue."""
        log = self._log.open("ab")
        try:
            process = await asyncio.create_subprocess_exec(
                "worker",
                env={**os.environ, **self._config.env()},
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
            )
        finally:
            log.close()
        self._process = process
        assert process.stdout is not None
        async with asyncio.timeout(90):
            while READY_LINE not in (line := await process.stdout.readline()):
                if not line:
                    raise RuntimeError(f"worker exited before it was ready; see {self._log}")
        # Keep reading, so the worker never blocks on a full pipe.
        self._drain = asyncio.create_task(self._read_rest(process))

    async def _read_rest(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        with self._log.open("ab") as log:
            while line := await process.stdout.readline():
                log.write(line)

    async def kill(self) -> None:
        """SIGKILL: no graceful shutdown, no chance to report running work."""
        process = self._process
        if process is None:
            return
        await sigkill(process)
        if self._drain is not None:
            await self._drain
        self._process = self._drain = None
