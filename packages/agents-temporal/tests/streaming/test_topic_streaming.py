"""Streaming the published integration's way: raw model events to a ``WorkflowStream`` topic.

The model is the real OpenAI client streaming from a local OpenAI-compatible server; an
observer subscribes to the workflow's stream with ``WorkflowStreamClient`` while it runs.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncGenerator, Iterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowFailureError
from temporalio.contrib.workflow_streams import WorkflowStreamClient
from temporalio.worker import Worker

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.testing import OpenAICompatibleServer, TextReply
from tests.local_openai import local_openai_client
from tests.replaying import replay, save_history
from tests.streaming.support import PARAMS, POLL, words
from tests.streaming.workflows import StreamedToTopic, StreamReport

TOPIC_PARAMS = dataclasses.replace(PARAMS, streaming_topic="events")
HISTORY = "topic_streamed_run"


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAICompatibleServer]:
    with OpenAICompatibleServer(token_delay=0.01) as server:
        yield server


@pytest_asyncio.fixture(loop_scope="session")
async def client(
    temporal_client: Client,
    server: OpenAICompatibleServer,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncGenerator[Client]:
    client = local_openai_client(temporal_client, server, monkeypatch, TOPIC_PARAMS)
    async with Worker(client, task_queue=task_queue, workflows=[StreamedToTopic]):
        yield client


async def test_raw_events_reach_the_topic_and_the_workflow(
    client: Client, server: OpenAICompatibleServer, task_queue: str
) -> None:
    text = words(30)
    server.enqueue(TextReply(text))
    workflow_id = f"topic-{uuid.uuid4()}"  # noqa: TID251 - test code
    handle = await client.start_workflow(
        StreamedToTopic.run,
        "Write thirty words.",
        id=workflow_id,
        task_queue=task_queue,
        execution_timeout=timedelta(seconds=60),
    )
    published: list[Any] = []

    async def observe() -> None:
        stream = WorkflowStreamClient.create(client, workflow_id)
        # Read as JSON objects: the local server, like some providers, leaves out a usage
        # field the OpenAI types require, so a strict decode is the observer's choice to make.
        async for item in stream.subscribe(["events"], from_offset=0, poll_cooldown=POLL):
            published.append(item.data)
            if item.data["type"] == "response.completed":
                return

    observer = asyncio.create_task(observe())
    report = await handle.result()
    await asyncio.wait_for(observer, timeout=30)

    assert isinstance(report, StreamReport)
    assert report.final_output == text
    assert server.requests[-1].streamed
    types = [event["type"] for event in published]
    # The model's own events, unchanged, in order: what the observer read is what the run saw.
    assert types == report.raw_event_types
    assert types[-1] == "response.completed"
    deltas = [e["delta"] for e in published if e["type"] == "response.output_text.delta"]
    assert len(deltas) > 1
    assert "".join(deltas) == text == report.workflow_text
    await save_history(handle, HISTORY)


async def test_topic_history_replays() -> None:
    await replay(HISTORY, [StreamedToTopic], plugin=OpenAIAgentsPlugin(model_params=TOPIC_PARAMS))


async def test_topic_streaming_refuses_local_activities(
    temporal_client: Client,
    server: OpenAICompatibleServer,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    params = dataclasses.replace(TOPIC_PARAMS, use_local_activity=True)
    client = local_openai_client(temporal_client, server, monkeypatch, params)
    async with Worker(client, task_queue=task_queue, workflows=[StreamedToTopic]):
        with pytest.raises(WorkflowFailureError) as failed:
            await client.execute_workflow(
                StreamedToTopic.run,
                "hi",
                id=f"topic-local-{uuid.uuid4()}",  # noqa: TID251 - test code
                task_queue=task_queue,
                execution_timeout=timedelta(seconds=30),
            )
    assert "use_local_activity" in str(failed.value.cause)
    assert not server.requests
