"""The whole stack on one machine: a Temporal dev server, the worker and the console."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shutil
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from agent_stack.apps import NoAgentAppError
from agent_stack.health import STUCK_EXIT_CODE, check_health
from agent_stack.settings import Settings
from agent_stack.signals import stop_on_signals
from agents_temporal.apps import ENTRY_POINT_GROUP
from agents_temporal.testing import dev_server_config_args, temporal_cli_path
from devstack._probe import (
    LOCAL_HOSTS,
    bind_host,
    http_ok,
    port_state,
    split_address,
    temporal_answers,
)
from devstack._process import Child

START_TIMEOUT_SECONDS = 90.0
"""How long each part may take to become healthy."""

WORKER_STOP_SECONDS = 30.0
"""How long the worker may take to finish running activities on shutdown."""

_POLL_SECONDS = 0.25

RESTARTED = frozenset({"worker", "console", "codec"})
"""The parts `dev` starts again when they exit on their own (Temporal's exit ends the stack)."""

FIRST_RESTART_DELAY = 1.0
"""Seconds before the first restart of a part; each quick failure doubles it."""

MAX_RESTART_DELAY = 30.0
"""The longest wait between two restarts of a part."""

STABLE_SECONDS = 60.0
"""A part that ran this long before it exited is restarted after the first delay again."""


class StackError(RuntimeError):
    """The stack cannot start; the message says why and what to do."""


@dataclass(frozen=True)
class StackPlan:
    """Where everything listens and lives."""

    data_dir: Path
    """Temporal's SQLite file and the payloads go here."""

    temporal_address: str
    """TEMPORAL_ADDRESS."""

    temporal_host: str
    """Its host."""

    temporal_port: int
    """Its port."""

    ui_url: str
    """TEMPORAL_UI_URL."""

    ui_port: int
    """The Web UI's port (from TEMPORAL_UI_URL)."""

    console_port: int
    """CONSOLE_PORT."""

    namespace: str
    """TEMPORAL_NAMESPACE."""

    codec_port: int | None = None
    """CODEC_SERVER_PORT when payloads are encrypted (the codec server runs); else None."""

    @property
    def codec_url(self) -> str | None:
        """The codec server the Web UI decrypts payloads with, when there is one."""
        return None if self.codec_port is None else f"http://127.0.0.1:{self.codec_port}"

    @property
    def console_url(self) -> str:
        """Where the console is."""
        return f"http://localhost:{self.console_port}/"

    @property
    def database_file(self) -> Path:
        """Temporal's SQLite file: conversations survive a restart of `dev`."""
        return self.data_dir / "temporal.db"


def make_private_dir(path: Path) -> None:
    """Create the data directory readable by its owner only (0700), or make it so.

    It holds Temporal's database, the store, the payloads and the logs: conversations and
    customer data, which other users of the machine have no business reading. An existing
    directory someone else owns is left as it is.
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_uid == os.getuid():
        path.chmod(0o700)


def plan_stack(settings: Settings, data_dir: Path) -> StackPlan:
    """Where each part listens, from the settings."""
    host, port = split_address(settings.temporal_address)
    ui = urlsplit(settings.temporal_ui_url)
    return StackPlan(
        data_dir=data_dir.resolve(),
        temporal_address=settings.temporal_address,
        temporal_host=host,
        temporal_port=port,
        ui_url=settings.temporal_ui_url.rstrip("/"),
        ui_port=ui.port or (443 if ui.scheme == "https" else 80),
        console_port=settings.console_port,
        namespace=settings.temporal_namespace,
        codec_port=settings.codec_server_port if settings.encryption_keyring() else None,
    )


def _taken(what: str, variable: str, port: int) -> StackError:
    return StackError(
        f"Port {port} ({what}) is already in use: stop whatever listens there, or set "
        f"{variable} to a free port"
    )


async def preflight(plan: StackPlan, reuse_temporal: bool = False) -> bool:
    """Check ports before starting anything; returns whether to reuse a running Temporal.

    A Temporal server already running on this machine was not started by this `dev` (the
    servers `dev` starts end with it): it may be another stack's, with other conversations and
    workers on the same task queue. It is reused only when ``reuse_temporal`` says so.

    Raises:
        StackError: A port we need is taken by something else, a Temporal server `dev` did not
            start runs here and ``reuse_temporal`` is off, or a remote Temporal is down.
    """
    local = plan.temporal_host in LOCAL_HOSTS
    if not local:
        if await temporal_answers(plan.temporal_address):
            return True
        raise StackError(
            f"Temporal at {plan.temporal_address!r} does not answer, and `dev` only starts a "
            "server on this machine: start it, or set TEMPORAL_ADDRESS=localhost:7233"
        )
    reuse = False
    if port_state(plan.temporal_host, plan.temporal_port) == "in use":
        if not await temporal_answers(plan.temporal_address):
            raise _taken("Temporal's gRPC port", "TEMPORAL_ADDRESS", plan.temporal_port)
        if not reuse_temporal:
            raise StackError(
                f"A Temporal server that this `dev` did not start is already running at "
                f"{plan.temporal_address!r} (another `dev`, or a server of your own): stop it; "
                "or run `dev --reuse-temporal` to use it, sharing its conversations and task "
                "queue with whatever else uses it; or set TEMPORAL_ADDRESS and TEMPORAL_UI_URL "
                "to free ports for a server of this stack's own"
            )
        reuse = True
    elif port_state(plan.temporal_host, plan.ui_port) == "in use":
        raise _taken("the Temporal Web UI", "TEMPORAL_UI_URL", plan.ui_port)
    if port_state("localhost", plan.console_port) == "in use":
        raise _taken("the console", "CONSOLE_PORT", plan.console_port)
    if plan.codec_port is not None and port_state("127.0.0.1", plan.codec_port) == "in use":
        raise _taken("the codec server", "CODEC_SERVER_PORT", plan.codec_port)
    return reuse


def temporal_command(plan: StackPlan) -> list[str]:
    """``temporal server start-dev`` with SQLite persistence and the Web UI."""
    command = [temporal_cli_path(), "server", "start-dev"]
    command += ["--ip", bind_host(plan.temporal_host), "--port", str(plan.temporal_port)]
    command += ["--ui-port", str(plan.ui_port), "--ui-disable-news-fetch"]
    command += ["--db-filename", str(plan.database_file), "--log-level", "error"]
    command += dev_server_config_args()
    if plan.namespace != "default":
        command += ["--namespace", plan.namespace]
    if plan.codec_url is not None:
        command += ["--ui-codec-endpoint", plan.codec_url]
    return command


def _script(name: str, module: str) -> list[str]:
    # The console script next to our interpreter (what `uv run` puts on PATH), else the module.
    script = Path(sys.executable).parent / name
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    found = shutil.which(name)
    return [found] if found else [sys.executable, "-m", module]


def child_environment(
    settings: Settings, plan: StackPlan, environ: Mapping[str, str]
) -> dict[str, str]:
    """The worker's and console's environment: ours, pointed at the stack and its data dir."""
    env = dict(environ)
    env.update(
        TEMPORAL_ADDRESS=plan.temporal_address,
        TEMPORAL_UI_URL=plan.ui_url,
        CONSOLE_PORT=str(plan.console_port),
        PYTHONUNBUFFERED="1",
    )
    env.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    # The default points at ./.data; a chosen data dir moves it too, unless set explicitly.
    # An agent app's own data goes where its own settings say: `dev` knows no app.
    if "payload_storage_dir" not in settings.model_fields_set:
        env["PAYLOAD_STORAGE_DIR"] = str(plan.data_dir / "payloads")
    return env


async def _until(
    ready: Callable[[], Awaitable[bool]], child: Child, stop: asyncio.Event, what: str
) -> bool:
    """Wait until ``ready()``; False if asked to stop first. Raises if ``child`` dies."""
    deadline = asyncio.get_running_loop().time() + START_TIMEOUT_SECONDS
    while not stop.is_set():
        if child.returncode is not None:
            raise StackError(f"{child.name} exited with code {child.returncode} while starting")
        if await ready():
            return True
        if asyncio.get_running_loop().time() > deadline:
            raise StackError(f"{what} did not become ready in {START_TIMEOUT_SECONDS:.0f} s")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_POLL_SECONDS):
                await stop.wait()
    return False


async def run_stack(
    settings: Settings,
    *,
    data_dir: Path = Path(".data"),
    environ: Mapping[str, str] | None = None,
    out: TextIO = sys.stdout,
    stop: asyncio.Event | None = None,
    apps: Sequence[str] = (),
    reuse_temporal: bool = False,
) -> int:
    """Run Temporal (unless one is running), the worker and the console until stopped.

    With no agent app (none installed and AGENT_APP_OBJECTS unset) there is nothing for a
    worker to run: the worker is left out, with a line saying how to add an app, and the
    console says the same on its page.

    Ctrl-C or SIGTERM (or ``stop``) stops the console, then the worker (letting running
    activities finish), then Temporal. A worker, console or codec server that exits on its own
    is started again with back-off (see `supervise`); if Temporal exits, the rest are stopped.

    Args:
        settings: The stack's settings (ports, Temporal address, model).
        data_dir: Where Temporal's SQLite file and the payloads go.
        environ: The environment the worker and console start from (default: ours).
        out: Where status lines and the children's output go.
        stop: Set it to stop the stack (for embedding and tests).
        apps: Run only these agent apps (default: every installed one).
        reuse_temporal: Use a Temporal server already running on this machine.

    Returns:
        0 after a requested stop, 1 when a part failed.

    Raises:
        StackError: A port is taken, or a part did not start; nothing is left running.
    """
    say = functools.partial(print, file=out, flush=True)
    plan = plan_stack(settings, data_dir)
    reuse = await preflight(plan, reuse_temporal)
    make_private_dir(plan.data_dir)
    env = child_environment(settings, plan, os.environ if environ is None else environ)
    if apps:
        # The worker serves only these apps, and the console shows only them.
        env["AGENT_APP_NAMES"] = ",".join(apps)
    stop = stop or asyncio.Event()
    remove_handlers = stop_on_signals(stop)
    children: list[Child] = []
    try:
        if reuse:
            say(f"dev: reusing the Temporal server already running at {plan.temporal_address}")
        else:
            temporal_env = {k: v for k, v in env.items() if not k.startswith("TEMPORAL_")}
            temporal = Child(
                "temporal",
                temporal_command(plan),
                temporal_env,
                out=out,
                log_file=plan.data_dir / "temporal.log",
            )
            children.append(temporal)
            say(f"dev: starting Temporal at {plan.temporal_address} (data: {plan.database_file})")
            await temporal.start()
            if not await _until(
                functools.partial(temporal_answers, plan.temporal_address, 2.0),
                temporal,
                stop,
                "Temporal",
            ):
                return 0
        if plan.codec_port is not None:
            codec = Child(
                "codec", [*_script("worker", "agent_worker.cli"), "codec-server"], env, out=out
            )
            children.append(codec)
            await codec.start()
            codec_port = plan.codec_port

            async def codec_ready() -> bool:
                return port_state("127.0.0.1", codec_port) == "in use"

            if not await _until(codec_ready, codec, stop, "The codec server"):
                return 0
        # The worker and the console start together: each spends seconds importing its
        # stack, and neither needs the other to come up (the console shows the worker's state).
        has_apps = _has_apps(settings)
        worker: Child | None = None
        if has_apps:
            worker = Child("worker", _script("worker", "agent_worker.cli"), env, out=out)
            children.append(worker)
            await worker.start()
        else:
            say(f"dev: {NoAgentAppError('no worker is started')}")
        console = Child("console", _script("console", "agent_console.cli"), env, out=out)
        children.append(console)
        await console.start()

        async def worker_ready() -> bool:
            return (await check_health(settings, timeout_seconds=2)).ok

        health_url = f"http://127.0.0.1:{plan.console_port}/_stcore/health"

        async def console_ready() -> bool:
            return await asyncio.to_thread(http_ok, health_url)

        if worker is not None and not await _until(worker_ready, worker, stop, "The worker"):
            return 0
        if not await _until(console_ready, console, stop, "The console"):
            return 0
        _announce(say, plan, reuse, worker=has_apps)
        return await supervise(children, stop, say)
    finally:
        await _stop_all(children, say)
        remove_handlers()


def _has_apps(settings: Settings) -> bool:
    """Whether the worker has an app to run: one is installed or AGENT_APP_OBJECTS names one.

    Nothing is loaded here: an app that does not load is the worker's to say, and loading them
    would cost this process seconds of imports (the Agents SDK, every app) before the worker
    even starts.
    """
    return bool(settings.app_objects) or bool(entry_points(group=ENTRY_POINT_GROUP))


def _announce(say: Callable[[str], None], plan: StackPlan, reuse: bool, *, worker: bool) -> None:
    server = "reused" if reuse else f"data in {plan.database_file}"
    say("")
    say("dev: ready")
    say(f"  console          {plan.console_url}")
    say(f"  Temporal Web UI  {plan.ui_url}")
    say(f"  Temporal         {plan.temporal_address} ({server})")
    if not worker:
        say("  worker           not started: no agent app (see above)")
    if plan.codec_url is not None:
        where = "set as the Web UI's codec endpoint" if not reuse else "set it in the Web UI"
        say(f"  codec server     {plan.codec_url} (decrypts payloads; {where})")
    say("  Ctrl-C stops everything")
    say("")


@dataclass
class _Restarts:
    """When a part was last started and how long its next restart waits."""

    started_at: float
    delay: float
    count: int = 0


async def supervise(
    children: list[Child],
    stop: asyncio.Event,
    say: Callable[[str], None],
    *,
    first_delay: float = FIRST_RESTART_DELAY,
) -> int:
    """Watch the running ``children`` until ``stop`` is set or one that cannot restart exits.

    A worker, console or codec server that exits is started again, after ``first_delay``
    seconds, doubled after each exit that follows a short run (up to `MAX_RESTART_DELAY`) and
    reset once a part ran `STABLE_SECONDS`; every restart is announced. A worker that left
    because workflows were stuck on it (`STUCK_EXIT_CODE`) is started again at once, so that
    a fresh worker picks those conversations up. Temporal exiting ends the stack.

    Returns:
        0 after ``stop``, 1 when a part that is not restarted exited.
    """
    loop = asyncio.get_running_loop()
    restarts = {id(child): _Restarts(loop.time(), first_delay) for child in children}
    stopping = asyncio.create_task(stop.wait())
    try:
        while True:
            exits = {asyncio.create_task(child.wait()): child for child in children}
            try:
                done, _ = await asyncio.wait(
                    {stopping, *exits}, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                for task in exits:
                    task.cancel()
            if stopping in done:
                say("dev: stopping")
                return 0
            failed = next(exits[task] for task in done if task in exits)
            if failed.name not in RESTARTED:
                say(f"dev: {failed.name} exited with code {failed.returncode}; stopping the stack")
                return 1
            record = restarts[id(failed)]
            if loop.time() - record.started_at >= STABLE_SECONDS:
                record.delay = first_delay
            record.count += 1
            if failed.name == "worker" and failed.returncode == STUCK_EXIT_CODE:
                say("dev: the worker left with stuck workflows; starting a fresh one")
            else:
                say(
                    f"dev: {failed.name} exited with code {failed.returncode}; restarting it in "
                    f"{record.delay:g} s (restart {record.count})"
                )
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(record.delay):
                        await stop.wait()
                record.delay = min(record.delay * 2, MAX_RESTART_DELAY)
                if stop.is_set():
                    say("dev: stopping")
                    return 0
            await failed.start()
            record.started_at = loop.time()
            say(f"dev: {failed.name} restarted (pid {failed.pid})")
    finally:
        stopping.cancel()


async def _stop_all(children: list[Child], say: Callable[[str], None]) -> None:
    # Reverse start order: the console first (nothing new comes in), then the worker (it
    # finishes running activities while Temporal is still there), then Temporal.
    for child in reversed(children):
        timeout = WORKER_STOP_SECONDS if child.name == "worker" else 10.0
        await child.stop(timeout, say)
    if children:
        say("dev: stopped")
