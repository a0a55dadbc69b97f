"""The workflow's stream log, fed crafted delta batches: resent, stale and restarted attempts."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal._streaming.types import PUBLISH_DELTAS_SIGNAL, DeltaBatch, TextDelta
from agents_temporal.streaming import StreamPage, read_events
from tests.replaying import save_history
from tests.streaming.support import subscribe, wait_for_history, wait_for_page
from tests.streaming.workflows import ManualStream


@asynccontextmanager
async def manual_stream(
    temporal_client: Client, task_queue: str
) -> AsyncGenerator[tuple[Client, WorkflowHandle[ManualStream, Any]]]:
    """A `ManualStream` run with a worker serving it, and the plugin's client, for the block."""
    config = temporal_client.config()
    config["plugins"] = [OpenAIAgentsPlugin()]
    client = Client(**config)
    async with Worker(client, task_queue=task_queue, workflows=[ManualStream]):
        handle = await client.start_workflow(
            ManualStream.run,
            id=f"manual-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=30),
        )
        yield client, handle


def deltas(page: StreamPage) -> list[tuple[int | None, str | None]]:
    return [(e.attempt, e.text) for e in page.events if e.kind == "text_delta"]


def batch(attempt: int, first_index: int, *texts: str, call: str = "call-1") -> DeltaBatch:
    return DeltaBatch(call, attempt, first_index, [TextDelta(t, "msg_1") for t in texts])


async def test_resent_stale_and_restarted_batches(temporal_client: Client, task_queue: str) -> None:
    async with manual_stream(temporal_client, task_queue) as (client, handle):
        # An observer waits (in the long-polling update) before anything happened.
        observer = asyncio.create_task(subscribe(client, handle.id))
        await wait_for_history(handle, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
        await handle.signal(ManualStream.begin)
        await wait_for_page(client, handle.id, lambda page: page.streaming)

        await handle.signal(PUBLISH_DELTAS_SIGNAL, batch(1, 0, "a", "b"))
        # Resent after an ambiguous failure: "b" arrived already.
        await handle.signal(PUBLISH_DELTAS_SIGNAL, batch(1, 1, "b", "c"))
        await handle.signal(PUBLISH_DELTAS_SIGNAL, batch(1, 0, "x", call="call-9"))
        page = await wait_for_page(client, handle.id, lambda page: page.next_offset >= 3)
        assert deltas(page) == [(1, "ab"), (1, "c")]

        # A retried attempt replaces the earlier attempt's deltas and is marked durably.
        await handle.signal(PUBLISH_DELTAS_SIGNAL, batch(2, 0, "A"))
        # A straggler of the superseded attempt is ignored.
        await handle.signal(PUBLISH_DELTAS_SIGNAL, batch(1, 3, "d"))
        await handle.signal(PUBLISH_DELTAS_SIGNAL, batch(2, 1, "B"))
        page = await wait_for_page(client, handle.id, lambda page: page.next_offset >= 6)
        assert deltas(page) == [(2, "A"), (2, "B")]
        restarted = [e for e in page.events if e.kind == "attempt_restarted"]
        assert [(e.model_call, e.attempt) for e in restarted] == [("call-1", 2)]
        assert (await read_events(client, handle.id, include_deltas=False)).streaming is not False

        await handle.signal(ManualStream.finish)
        assert await handle.result() == "call-1"
        observed = [event for _, event in await observer]
        assert [e.kind for e in observed if e.durable] == [
            "model_call_started",
            "attempt_restarted",
            "model_call_completed",
        ]
        await save_history(handle, "streaming_manual_log")
        final = await read_events(client, handle.id)
        assert deltas(final) == [], "a finished call's deltas are dropped"
        assert [e.kind for e in final.events] == [
            "model_call_started",
            "attempt_restarted",
            "model_call_completed",
        ]
        assert final.closed and not final.streaming
        assert [e.offset for e in final.events] == [0, 3, 6]
        # Reading from an offset past the events of a finished call skips nothing durable.
        assert [e.kind for e in (await read_events(client, handle.id, 4)).events] == [
            "model_call_completed"
        ]


async def test_subscription_ends_when_the_run_is_terminated_mid_stream(
    temporal_client: Client, task_queue: str
) -> None:
    async with manual_stream(temporal_client, task_queue) as (client, handle):
        await handle.signal(ManualStream.begin)
        await wait_for_page(client, handle.id, lambda page: page.streaming)
        observer = asyncio.create_task(subscribe(client, handle.id))
        await handle.signal(PUBLISH_DELTAS_SIGNAL, batch(1, 0, "partial"))
        await wait_for_page(client, handle.id, lambda page: page.next_offset == 2)
        await handle.terminate("operator stopped it")
        async with asyncio.timeout(20):
            observed = [event for _, event in await observer]
        assert [(e.kind, e.text) for e in observed] == [
            ("model_call_started", None),
            ("text_delta", "partial"),
        ]
        assert (await read_events(client, handle.id)).streaming, "the run ended mid-call"
