"""The support app on a test worker (`agents_temporal.testing.run_app`), on a SQLite store."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from agent_stack.connection import data_converter
from agent_stack.settings import Settings
from agents_temporal.client import ConversationHandle, ConversationInput
from agents_temporal.testing import WorkflowHistories, run_app
from support_agents import SupportConversation, SupportSettings, app

HISTORIES = WorkflowHistories(Path(__file__).parents[1] / "histories")
"""The support app's committed histories: record with REGENERATE_HISTORIES=1."""


@dataclass
class SupportStack:
    client: Client
    task_queue: str
    database_url: str

    async def start(self) -> ConversationHandle:
        return await ConversationHandle.start(
            self.client,
            SupportConversation.run,
            id=f"support-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=self.task_queue,
        )

    async def refused_start(
        self, context: dict[str, Any]
    ) -> tuple[ConversationHandle, ApplicationError]:
        """Start a conversation with ``context``; it, and the error that refused it.

        The refusal is checked to be the start-input check's: ``InvalidConversationInput``,
        not retried.
        """
        conversation = await ConversationHandle.start(
            self.client,
            SupportConversation.run,
            id=f"forged-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=self.task_queue,
            input=ConversationInput(context=context),
        )
        with pytest.raises(WorkflowFailureError) as failed:
            await conversation.handle.result()
        cause = failed.value.cause
        assert isinstance(cause, ApplicationError)
        assert cause.type == "InvalidConversationInput"
        assert cause.non_retryable
        return conversation, cause

    async def refunds(self, order_id: str) -> list[tuple[str, int]]:
        engine = create_async_engine(self.database_url)
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(
                    text("SELECT refund_key, amount_cents FROM refunds WHERE order_id = :o"),
                    {"o": order_id},
                )
                return [(str(r[0]), int(r[1])) for r in rows]
        finally:
            await engine.dispose()


def support_settings(**values: Any) -> SupportSettings:
    """The support app's own settings from these variables (and no .env file)."""
    sources: dict[str, Any] = {**values, "_env_file": None}
    return SupportSettings(**sources)


@asynccontextmanager
async def running_stack(
    temporal_env: WorkflowEnvironment,
    task_queue: str,
    tmp_path: Path,
    environ: Mapping[str, str] | None = None,
    settings_overrides: Mapping[str, Any] | None = None,
) -> AsyncGenerator[SupportStack]:
    """The support app on a test worker: its offline model, a SQLite store in ``tmp_path``.

    Args:
        environ: The app's own settings (``REFUND_HARD_CAP`` and the like).
        settings_overrides: The stack's payload settings (storage, encryption), for the data
            converter every process of a deployment shares.
    """
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    stack_settings = Settings(
        **dict[str, Any](
            PAYLOAD_STORAGE_DIR=str(tmp_path / "payloads"),
            _env_file=None,
            **(settings_overrides or {}),
        )
    )
    config = temporal_env.client.config()
    config["data_converter"] = data_converter(stack_settings)
    own = support_settings(DATABASE_URL=database_url, **(environ or {}))
    async with run_app(app, Client(**config), task_queue=task_queue, settings=own) as running:
        yield SupportStack(running.client, task_queue, database_url)


@pytest_asyncio.fixture(loop_scope="session")
async def stack(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
) -> AsyncGenerator[SupportStack]:
    async with running_stack(temporal_env, task_queue, tmp_path) as stack:
        yield stack
