"""An app on the offline model base, served by `run_app` against a real Temporal server."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from agents import ModelSettings, ModelTracing
from agents.exceptions import UserError
from temporalio.client import Client

from agents_temporal.offline import OFFLINE_RESPONSE_PREFIX, OfflineModelProvider, OfflineTurn
from agents_temporal.testing import run_app
from tests.offline_app.agents import RESERVED, ShelfModel
from tests.offline_app.app import app
from tests.replaying import save_history


async def test_a_conversation_with_handoff_tool_and_approval(
    temporal_client: Client, task_queue: str
) -> None:
    RESERVED.clear()
    async with run_app(app, temporal_client, task_queue=task_queue) as running:
        conversation = await running.start_conversation()
        hello = await conversation.send("hi")
        counted = await conversation.send("how many lamps in stock?")
        waiting = await conversation.send("reserve a lamp please")
        [pending] = waiting.pending_approvals
        approved = await conversation.approve(pending.id, operator="ops")
        history = await conversation.handle.fetch_history()
        await save_history(conversation.handle, "offline_app_conversation")
    # The greeter answered alone; then each turn was played by the agent that held it, which
    # saw only this turn's tool results.
    assert (hello.agent, hello.reply) == ("Greeter", "Hello! (0 tool results this turn)")
    assert (counted.agent, counted.reply) == ("Clerk", "count_stock: 3 lamp(s) in stock")
    assert waiting.status == "awaiting_approval" and pending.tool == "reserve"
    assert (approved.status, approved.reply) == ("completed", "reserve: reserved one lamp")
    assert RESERVED == ["lamp"]
    # Every model call is marked offline, so a console can say so.
    response_ids = [
        json.loads(payload.data).get("response_id")
        for event in history.events
        if event.HasField("activity_task_completed_event_attributes")
        for payload in event.activity_task_completed_event_attributes.result.payloads
        if b"response_id" in payload.data
    ]
    assert len(response_ids) >= 5
    assert all(str(i).startswith(f"{OFFLINE_RESPONSE_PREFIX}-") for i in response_ids)


async def test_run_app_refuses_an_app_without_offline_model(temporal_client: Client) -> None:
    bare = replace(app, offline_model_provider=None)
    with pytest.raises(ValueError, match=r"'shelf' has no offline model: pass model_provider="):
        async with run_app(bare, temporal_client):
            pass


def _turn(items: list[dict[str, object]], agent: str | None = "Clerk") -> OfflineTurn:
    return OfflineTurn.of(agent, "Count stock.", items)  # type: ignore[arg-type]


def test_the_turn_is_scoped_to_the_newest_message() -> None:
    turn = _turn(
        [
            {"role": "user", "content": "how many lamps?"},
            {"type": "function_call", "call_id": "c1", "name": "count_stock", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "3"},
            {"role": "user", "content": [{"type": "input_text", "text": "and desks?"}]},
            {"type": "function_call", "call_id": "h", "name": "transfer_to_clerk", "arguments": ""},
            {"type": "function_call_output", "call_id": "h", "output": "{}"},
            {"type": "function_call", "call_id": "c2", "name": "count_stock", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c2", "output": "0"},
        ]
    )
    assert turn.message == "and desks?"
    assert turn.conversation == "how many lamps? and desks?"
    assert turn.tool_outputs == [("count_stock", "0")]  # not the old turn's, not the handoff
    assert turn.has("DESKS") and not turn.has("lamp")


async def test_responses_are_marked_offline_with_unique_ids_and_usage() -> None:
    model = ShelfModel()
    responses = [
        await model.get_response(
            "Count stock.",
            "how many lamps in stock?",
            ModelSettings(),
            [],
            None,
            [],
            ModelTracing.DISABLED,
        )
        for _ in range(2)
    ]
    ids = [r.response_id for r in responses]
    assert all(i is not None and i.startswith(f"{OFFLINE_RESPONSE_PREFIX}-") for i in ids)
    assert len(set(ids)) == 2
    assert responses[0].usage.input_tokens > 0 and responses[0].usage.output_tokens > 0
    # Outside the model activity no agent is named; the model says so instead of guessing.
    assert "unknown agent None" in json.dumps(responses[0].output[0].model_dump())
    # Another model instance (another worker process) numbers its ids apart.
    other = OfflineModelProvider(ShelfModel).model
    assert isinstance(other, ShelfModel) and other is not model


def test_a_handoff_to_an_agent_the_caller_cannot_reach_fails_clearly() -> None:
    from agents import Agent, handoff

    turn = OfflineTurn.of("Greeter", "", "hi", handoffs=[handoff(Agent(name="Clerk"))])
    assert turn.handoff_tool_name("Clerk") == "transfer_to_clerk"
    with pytest.raises(
        UserError, match=r"'Greeter' cannot hand off to 'Till' \(its handoffs: 'Clerk'\)"
    ):
        ShelfModel().hand_off(turn, "Till")
