"""A conversation of several turns: handoff, memory, run context and continue-as-new."""

from __future__ import annotations

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from agents_temporal.client import ConversationConfig
from tests.conversations.support import CALL_USAGE, items, shop
from tests.replaying import save_history


async def test_turns_with_handoff_survive_continue_as_new(
    temporal_client: Client, task_queue: str
) -> None:
    async with shop(temporal_client, task_queue) as env:
        conversation = await env.start(ConversationConfig(continue_as_new_after_turns=2))
        first_run = await conversation.handle.describe()

        hello = await conversation.send("hello", turn=1, sender="ada@example.com")
        noted = await conversation.send("remember prefers email", turn=2)
        # Two turns ran: the workflow continued as new; the client did not notice.
        handed = await conversation.send("I need a refund", turn=3)
        noted_again = await conversation.send("remember lives in Lyon", turn=4)
        after = await conversation.send("thanks")

        status = await conversation.status()
        transcript = await conversation.transcript()
        tail = await conversation.transcript(since=13)
        usage = await conversation.usage()
        latest_run = await conversation.handle.describe()
        await save_history(
            temporal_client.get_workflow_handle(first_run.id, run_id=first_run.run_id),
            "conversation_handoff_first_run",
        )
        await save_history(conversation.handle, "conversation_handoff_last_run")

    assert (hello.status, hello.agent, hello.reply) == (
        "completed",
        "Triage",
        "Triage: you said 'hello'",
    )
    assert noted.reply == "Triage: Noted for Ada (1 notes)"
    assert (handed.agent, handed.reply) == ("Refunds", "Refunds: you said 'i need a refund'")
    # The run context and the current agent crossed continue-as-new.
    assert (noted_again.agent, noted_again.reply) == ("Refunds", "Refunds: Noted for Ada (2 notes)")
    assert after.turn == 5
    assert after.agent == "Refunds"

    assert latest_run.run_id != first_run.run_id
    assert status.workflow_runs == 3
    assert (status.phase, status.turn, status.next_turn) == ("idle", 5, 6)

    # The session crossed continue-as-new: the last model call saw the whole conversation.
    last_input = items(env.model.requests[-1])
    user_texts = [i["content"] for i in last_input if i.get("role") == "user"]
    assert user_texts == [
        "hello",
        "remember prefers email",
        "I need a refund",
        "remember lives in Lyon",
        "thanks",
    ]

    # The transcript is intact, in order, across runs.
    assert [(e.turn, e.kind) for e in transcript] == [
        (1, "user_message"),
        (1, "agent_message"),
        (2, "user_message"),
        (2, "tool_call"),
        (2, "tool_output"),
        (2, "agent_message"),
        (3, "user_message"),
        (3, "handoff"),
        (3, "agent_message"),
        (4, "user_message"),
        (4, "tool_call"),
        (4, "tool_output"),
        (4, "agent_message"),
        (5, "user_message"),
        (5, "agent_message"),
    ]
    assert tail == transcript[13:]
    assert transcript[0].sender == "ada@example.com"
    assert transcript[7].text == "Triage handed the conversation to Refunds"
    assert transcript[10].arguments == '{"note": "lives in lyon"}'

    # Usage: every call counted, summed per agent, across runs.
    calls = len(env.model.requests)
    assert calls == 8
    assert usage.total.requests == calls
    assert usage.total.total_tokens == calls * CALL_USAGE.total_tokens
    assert {name: t.requests for name, t in usage.by_agent.items()} == {"Triage": 4, "Refunds": 4}
    assert [c.turn for c in usage.calls] == [1, 2, 2, 3, 3, 4, 4, 5]
    assert status.usage == usage.total


async def test_a_failed_turn_is_reported_and_rolled_back(
    temporal_client: Client, task_queue: str
) -> None:
    async with shop(temporal_client, task_queue) as env:
        # One model call per message: a tool call needs a second one, so that turn fails.
        conversation = await env.start(ConversationConfig(max_agent_turns=1))
        failed = await conversation.send("remember likes tea")
        after = await conversation.send("hello")
        transcript = await conversation.transcript()

    assert (failed.status, failed.turn, failed.agent) == ("failed", 1, "Triage")
    assert failed.error is not None and "Max turns (1) exceeded" in failed.error
    assert (after.status, after.turn) == ("completed", 2)
    assert [e.kind for e in transcript] == [
        "user_message",
        "turn_failed",
        "user_message",
        "agent_message",
    ]
    # The failed turn left nothing half-done in the session the model reads.
    last_input = items(env.model.requests[-1])
    assert [i.get("content") for i in last_input] == ["hello"]


async def test_a_context_of_the_wrong_shape_fails_the_workflow_clearly(
    temporal_client: Client, task_queue: str
) -> None:
    async with shop(temporal_client, task_queue) as env:
        conversation = await env.start(context={"customer": ["not", "a", "name"]})
        with pytest.raises(WorkflowFailureError) as failure:
            await conversation.handle.result()

    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "InvalidConversationInput"
    assert "does not fit" in cause.message and "ShopContext" in cause.message
