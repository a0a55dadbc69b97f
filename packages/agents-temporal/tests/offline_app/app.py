"""The shelf app object, for `run_app` (not installed: tests pass it directly)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable, Sequence
from typing import Any

from agents_temporal.apps import AgentApp, AgentInfo, AppSettings
from tests.offline_app.agents import CLERK, GREETER, count_stock, reserve, shelf_provider
from tests.offline_app.workflow import ShelfConversation


@contextlib.asynccontextmanager
async def shelf_activities(settings: AppSettings) -> AsyncGenerator[Sequence[Callable[..., Any]]]:
    yield [count_stock, reserve]


app = AgentApp(
    name="shelf",
    title="Shelf",
    description="Counts and reserves stock.",
    conversation_workflow=ShelfConversation,
    workflows=[ShelfConversation],
    activities=shelf_activities,
    agents=[AgentInfo(GREETER, handoffs=(CLERK,)), AgentInfo(CLERK, handoffs=(GREETER,))],
    offline_model_provider=shelf_provider,
)
