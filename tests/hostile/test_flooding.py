"""H1: a model response that floods the workflow with tool calls fails its own turn only.

Every tool call of a response is handled in one workflow task; before the cap, 10,000 calls
made every attempt of that task run past Temporal's 2 s deadlock limit, and the worker could
neither finish nor evict it.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from agents_temporal import ModelActivityParameters
from tests.hostile.support import HISTORIES, USUAL_REPLY_SECONDS, desk, healthy
from tests.hostile.workflows import LEDGER, DeskTask


async def test_ten_thousand_approval_calls_fail_the_turn_not_the_worker(
    temporal_client: Client, task_queue: str
) -> None:
    async with desk(temporal_client, task_queue) as env:
        chatter = await healthy(env)
        poison = await env.start()
        async with chatter.talking(), asyncio.timeout(90):
            flooded = await poison.send("refund 10000")
        after = await poison.send("are you there?")
        transcript = await poison.transcript()
        stuck = env.stuck()

    assert flooded.status == "failed"
    assert flooded.error is not None
    assert "more than 64 tool calls in one response" in flooded.error
    assert "max_tool_calls_per_response" in flooded.error
    assert [(e.turn, e.kind) for e in transcript] == [
        (1, "user_message"),
        (1, "turn_failed"),
        (2, "user_message"),
        (2, "agent_message"),
    ]
    assert (after.status, after.reply) == ("completed", "ok: are you there?")
    assert LEDGER.refunds == []
    assert stuck is None
    assert chatter.failures == []
    assert max(chatter.replies) < USUAL_REPLY_SECONDS, sorted(chatter.replies)[-5:]


async def test_ten_thousand_workflow_tool_calls_fail_the_turn_not_the_worker(
    temporal_client: Client, task_queue: str
) -> None:
    async with desk(temporal_client, task_queue) as env:
        chatter = await healthy(env)
        poison = await env.start()
        async with chatter.talking(), asyncio.timeout(90):
            flooded = await poison.send("note 10000")
        after = await poison.send("note 2")
        stuck = env.stuck()

    assert flooded.status == "failed"
    assert "more than 64 tool calls" in (flooded.error or "")
    assert (after.status, after.reply) == ("completed", "done: 2 tool outputs")
    assert stuck is None
    assert chatter.failures == []
    assert max(chatter.replies) < USUAL_REPLY_SECONDS, sorted(chatter.replies)[-5:]


async def test_the_cap_is_the_workers_setting(temporal_client: Client, task_queue: str) -> None:
    params = ModelActivityParameters(
        start_to_close_timeout=timedelta(seconds=30), max_tool_calls_per_response=3
    )
    async with desk(temporal_client, task_queue, params) as env:
        conversation = await env.start()
        at_the_cap = await conversation.send("note 3")
        over_it = await conversation.send("note 4")
        refunds = await conversation.send("refund 4")
        await HISTORIES.save(conversation.handle, "hostile_tool_call_cap")

    assert (at_the_cap.status, at_the_cap.reply) == ("completed", "done: 3 tool outputs")
    assert over_it.status == refunds.status == "failed"
    assert "more than 3 tool calls" in (over_it.error or "")
    assert refunds.pending_approvals == []


async def test_an_agent_run_outside_conversations_fails_with_the_same_message(
    temporal_client: Client, task_queue: str
) -> None:
    params = ModelActivityParameters(
        start_to_close_timeout=timedelta(seconds=30), max_tool_calls_per_response=3
    )
    async with desk(temporal_client, task_queue, params) as env:
        handle = await env.client.start_workflow(
            DeskTask.run,
            "note 4",
            id=f"hostile-task-{uuid.uuid4()}",  # noqa: TID251 - test ids, not workflow code
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=60),
        )
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        await HISTORIES.save(handle, "hostile_task_tool_call_cap")

    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert (cause.type, cause.non_retryable) == ("TooManyToolCalls", True)
    assert "more than 3 tool calls" in cause.message


def test_the_cap_must_allow_one_call() -> None:
    with pytest.raises(ValueError, match="at least 1, got 0"):
        ModelActivityParameters(max_tool_calls_per_response=0)
