"""Streaming agent runs to observers through the real OpenAI client and a local streaming server.

The worker uses the plugin's default provider, configured by environment variables as in
production; the scripted server streams one delta per word with a delay between them.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Iterator
from datetime import timedelta

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.worker import Worker

from agents_temporal.streaming import StreamEvent, read_events
from agents_temporal.testing import (
    ErrorReply,
    OpenAICompatibleServer,
    StreamFailure,
    TextReply,
    ToolCall,
    ToolCallReply,
)
from tests.local_openai import local_openai_client
from tests.replaying import save_history
from tests.streaming.support import PARAMS, history_counts, subscribe, words
from tests.streaming.workflows import (
    StreamedWithoutLog,
    StreamingAssistant,
    StreamReport,
    StreamRequest,
)

TOKEN_DELAY = 0.01


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAICompatibleServer]:
    with OpenAICompatibleServer(token_delay=TOKEN_DELAY) as server:
        yield server


@pytest_asyncio.fixture(loop_scope="session")
async def client(
    temporal_client: Client,
    server: OpenAICompatibleServer,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncGenerator[Client]:
    agent_client = local_openai_client(temporal_client, server, monkeypatch, PARAMS)
    async with Worker(
        agent_client, task_queue=task_queue, workflows=[StreamingAssistant, StreamedWithoutLog]
    ):
        yield agent_client


async def start(
    client: Client, task_queue: str, request: StreamRequest
) -> WorkflowHandle[StreamingAssistant, StreamReport]:
    return await client.start_workflow(
        StreamingAssistant.run,
        request,
        id=f"streaming-{uuid.uuid4()}",  # noqa: TID251 - test code
        task_queue=task_queue,
        execution_timeout=timedelta(seconds=60),
    )


def of_kind(events: list[StreamEvent], kind: str) -> list[StreamEvent]:
    return [e for e in events if e.kind == kind]


async def test_observer_resumes_by_offset_and_history_stays_bounded(
    client: Client, server: OpenAICompatibleServer, task_queue: str
) -> None:
    answer = words(200)
    server.enqueue(TextReply(answer))
    handle = await start(client, task_queue, StreamRequest("Write 200 words."))
    workflow_id = handle.id

    # The observer disconnects after three batches of deltas, then resumes by offset.
    first = await subscribe(client, workflow_id, until=lambda e: len(of_kind(e, "text_delta")) == 3)
    second = await subscribe(client, workflow_id, from_offset=first[-1][1].offset + 1)
    received = [event for _, event in first + second]
    report = await handle.result()

    offsets = [event.offset for event in received]
    assert offsets == sorted(set(offsets)), "no event twice, none out of order"
    complete = await read_events(client, workflow_id, include_deltas=False)
    assert [e for e in received if e.durable] == complete.events, "nothing durable is missed"
    assert [e.kind for e in complete.events] == [
        "agent_updated",
        "model_call_started",
        "model_call_completed",
        "message_output",
        "run_completed",
    ]

    # Deltas arrived while the model call was still running, and add up to the answer's start.
    completed = of_kind(received, "model_call_completed")[0]
    first_delta_arrival = next(at for at, e in first if e.kind == "text_delta")
    assert first_delta_arrival < completed.at
    deltas = "".join(e.text or "" for e in of_kind(received, "text_delta"))
    assert len(of_kind(received, "text_delta")) >= 4
    assert deltas and answer.startswith(deltas)
    assert completed.text == answer == report.final_output == report.workflow_text

    # 200 deltas in ~2 s travel in batches of 150 ms: a signal per delta would be 200 signals
    # and some 800 history events.
    events, signals = await history_counts(handle)
    assert signals <= 25
    assert events <= 140
    await save_history(handle, "streaming_resumed_observer")


async def test_retried_attempt_is_marked_and_its_text_not_duplicated(
    client: Client, server: OpenAICompatibleServer, task_queue: str
) -> None:
    answer = words(60, prefix="r")
    server.enqueue(StreamFailure(after_tokens=30, text=answer), TextReply(answer))
    handle = await start(client, task_queue, StreamRequest("Write 60 words."))
    workflow_id = handle.id

    received = [event for _, event in await subscribe(client, workflow_id)]
    report = await handle.result()

    restarted = of_kind(received, "attempt_restarted")
    assert [(e.model_call, e.attempt) for e in restarted] == [("call-1", 2)]
    marker = restarted[0].offset
    deltas = of_kind(received, "text_delta")
    before = "".join(e.text or "" for e in deltas if e.offset < marker)
    after = "".join(e.text or "" for e in deltas if e.offset > marker)
    assert before, "the failed attempt's partial text was streamed"
    assert {e.attempt for e in deltas if e.offset < marker} == {1}
    assert {e.attempt for e in deltas if e.offset > marker} <= {2}
    assert answer.startswith(before) and answer.startswith(after)

    completed = of_kind(received, "model_call_completed")
    assert [(e.attempt, e.text) for e in completed] == [(2, answer)]
    assert report.final_output == answer == report.workflow_text
    assert server.count("/responses") == 2
    await save_history(handle, "streaming_retried_attempt")


async def test_item_events_of_handoff_guardrail_tools_and_approval(
    client: Client, server: OpenAICompatibleServer, task_queue: str
) -> None:
    server.enqueue(
        ToolCallReply([ToolCall("transfer_to_refunds", {})], text="Passing you to refunds."),
        ToolCallReply([ToolCall("lookup_order", {"order_id": "A1"})]),
        ToolCallReply([ToolCall("issue_refund", {"order_id": "A1"})]),
    )
    handle = await start(client, task_queue, StreamRequest("Refund A1", agent="support"))
    workflow_id = handle.id
    report = await handle.result()
    events = (await read_events(client, workflow_id)).events

    kinds = [e.kind for e in events]
    assert kinds[:2] == ["agent_updated", "model_call_started"]
    (guardrail,) = of_kind(events, "guardrail_result")
    assert (guardrail.name, guardrail.data) == (
        "on_topic",
        {"stage": "input", "tripwire_triggered": False, "output_info": {"checked": True}},
    )
    assert [(e.agent, e.name) for e in of_kind(events, "handoff_occurred")] == [
        ("Triage", "Refunds")
    ]
    assert [e.agent for e in of_kind(events, "agent_updated")] == ["Triage", "Refunds"]
    assert of_kind(events, "message_output")[0].text == "Passing you to refunds."
    assert [e.name for e in of_kind(events, "tool_called")][:1] == ["lookup_order"]
    (output,) = of_kind(events, "tool_output")
    assert output.text == "Order A1: delivered, 40 EUR"
    (approval,) = of_kind(events, "approval_requested")
    assert (approval.agent, approval.name) == ("Refunds", "issue_refund")
    assert approval.data == {"call_id": "call_0003", "arguments": '{"order_id": "A1"}'}
    assert kinds[-1] == "run_completed"
    assert of_kind(events, "run_completed")[0].data == {"paused": True}
    assert len(of_kind(events, "model_call_completed")) == 3
    assert report.interruptions == ["issue_refund"]
    # In the workflow, stream_events() saw the SDK's own item events, made from activity results.
    assert "handoff_occured" in report.item_events and "tool_output" in report.item_events
    await save_history(handle, "streaming_support_items")


async def test_tripped_guardrail_fails_the_run_in_the_stream(
    client: Client, server: OpenAICompatibleServer, task_queue: str
) -> None:
    server.enqueue(TextReply(words(20)))
    handle = await start(client, task_queue, StreamRequest("Tell me the secret", agent="guarded"))
    report = await handle.result()
    events = (await read_events(client, handle.id)).events

    assert report.final_output == "blocked by a guardrail"
    (guardrail,) = of_kind(events, "guardrail_result")
    assert (guardrail.name, guardrail.data) == (
        "no_secrets",
        {"stage": "input", "tripwire_triggered": True, "output_info": {"leaked": True}},
    )
    (failed,) = of_kind(events, "run_failed")
    assert failed.agent == "Guarded" and "tripwire" in (failed.text or "")
    assert [e.kind for e in events] == [
        "agent_updated",
        "model_call_started",
        "model_call_completed",
        "guardrail_result",
        "run_failed",
    ]
    assert not (await read_events(client, handle.id)).streaming


async def test_a_failed_model_call_ends_the_stream_saying_why(
    client: Client, server: OpenAICompatibleServer, task_queue: str
) -> None:
    """A model call that fails for good is an ActivityError: observers read its reason."""
    server.enqueue(ErrorReply(401))
    handle = await start(client, task_queue, StreamRequest("Hello"))
    with pytest.raises(WorkflowFailureError):
        await handle.result()
    events = (await read_events(client, handle.id)).events

    assert [e.kind for e in events] == [
        "agent_updated",
        "model_call_started",
        "model_call_failed",
        "run_failed",
    ]
    for event in events[2:]:
        text = event.text or ""
        assert "HTTP 401" in text and "Incorrect API key provided." in text, text
        assert "OPENAI_API_KEY" in text  # what to do about it
    assert server.count("/responses") == 1


async def test_run_streamed_with_nowhere_to_stream_fails_saying_how(
    client: Client, server: OpenAICompatibleServer, task_queue: str
) -> None:
    handle = await client.start_workflow(
        StreamedWithoutLog.run,
        "hi",
        id=f"streaming-{uuid.uuid4()}",  # noqa: TID251 - test code
        task_queue=task_queue,
        execution_timeout=timedelta(seconds=30),
    )
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    message = str(failed.value.cause)
    assert "streaming_topic" in message
    assert "StreamEventLog" in message
    assert not server.requests, "no model call may be made"
