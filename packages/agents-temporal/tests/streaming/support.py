"""Helpers shared by the streaming tests: subscribing, waiting, counting history."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.common import RetryPolicy

from agents_temporal import ModelActivityParameters
from agents_temporal.streaming import StreamEvent, StreamPage, read_events, subscribe_events

POLL = timedelta(milliseconds=50)
PARAMS = ModelActivityParameters(
    start_to_close_timeout=timedelta(seconds=20),
    retry_policy=RetryPolicy(
        initial_interval=timedelta(milliseconds=500), backoff_coefficient=1, maximum_attempts=3
    ),
)


def words(n: int, prefix: str = "w") -> str:
    return " ".join(f"{prefix}{i}" for i in range(n))


async def subscribe(
    client: Client,
    workflow_id: str,
    from_offset: int = 0,
    until: Callable[[list[StreamEvent]], bool] | None = None,
) -> list[tuple[datetime, StreamEvent]]:
    """Events with the time each arrived; stops (disconnects) when ``until`` says so."""
    received: list[tuple[datetime, StreamEvent]] = []
    events = subscribe_events(client, workflow_id, from_offset, poll_interval=POLL)
    async with contextlib.aclosing(events):
        async for event in events:
            received.append((datetime.now(UTC), event))
            if until is not None and until([e for _, e in received]):
                break
    return received


async def wait_for_page(
    client: Client, workflow_id: str, ready: Callable[[StreamPage], bool]
) -> StreamPage:
    """Read the stream until ``ready`` holds (signals are processed asynchronously)."""
    async with asyncio.timeout(10):
        while True:
            page = await read_events(client, workflow_id)
            if ready(page):
                return page
            await asyncio.sleep(0.02)


async def history_counts(handle: WorkflowHandle[Any, Any]) -> tuple[int, int]:
    """(all history events, signal events) of the workflow."""
    history = await handle.fetch_history()
    signals = sum(
        1
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    )
    return len(history.events), signals


async def wait_for_history(
    handle: WorkflowHandle[Any, Any], event_type: EventType.ValueType
) -> None:
    """Wait until the workflow's history has an event of ``event_type``."""
    async with asyncio.timeout(10):
        while True:
            history = await handle.fetch_history()
            if any(event.event_type == event_type for event in history.events):
                return
            await asyncio.sleep(0.02)
