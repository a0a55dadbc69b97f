"""Stopping a turn: while the model streams, while it waits for approvals, and refusals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from agents import (
    AgentOutputSchemaBase,
    Handoff,
    ModelSettings,
    ModelTracing,
    Tool,
    TResponseInputItem,
)
from agents.items import TResponseStreamEvent
from openai.types.responses import ResponseTextDeltaEvent
from temporalio.client import Client
from temporalio.worker import Worker

from agents_temporal import ModelActivityParameters
from agents_temporal.client import ConversationHandle, ConversationRefused
from agents_temporal.streaming import read_events
from agents_temporal.testing import AgentEnvironment, ModelRequest, ResponseBuilders, TestModel
from tests.conversations.support import Shop, eventually, items, reply, shop, shop_model
from tests.conversations.workflows import ACTIVITIES, DESK, ShopConversation
from tests.replaying import save_history

SLOW = "tell me slowly"


class SlowShopModel(TestModel):
    """The shop's model, except that a message asking for it "slowly" streams two words and
    then waits until its call is cancelled (it notes that it saw the cancellation)."""

    def __init__(self) -> None:
        super().__init__(shop_model)
        self.waiting = asyncio.Event()
        self.saw_cancellation = asyncio.Event()

    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        **kwargs: Any,
    ) -> AsyncIterator[TResponseStreamEvent]:
        request = ModelRequest(
            system_instructions, input, tools, handoffs, output_schema, model_settings
        )
        if SLOW not in request.last_user_text():
            events = super().stream_response(
                system_instructions,
                input,
                model_settings,
                tools,
                output_schema,
                handoffs,
                tracing,
                **kwargs,
            )
            async for event in events:
                yield event
            return
        self.requests.append(request)
        for event in ResponseBuilders.stream_events(reply("Once upon a time")):
            yield event
            if isinstance(event, ResponseTextDeltaEvent) and event.delta.startswith("upon"):
                break
        self.waiting.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.saw_cancellation.set()
            raise


@asynccontextmanager
async def slow_shop(temporal_client: Client, task_queue: str) -> AsyncGenerator[Shop]:
    """A worker for ShopConversation whose model activity heartbeats, as the worker app's does:
    a heartbeat is how a running activity learns that the workflow cancelled it."""
    DESK.refunds.clear()
    model = SlowShopModel()
    params = ModelActivityParameters(
        start_to_close_timeout=timedelta(seconds=60), heartbeat_timeout=timedelta(seconds=1)
    )
    async with AgentEnvironment(model=model, model_params=params) as env:
        client = env.applied_on_client(temporal_client)
        async with Worker(
            client, task_queue=task_queue, workflows=[ShopConversation], activities=ACTIVITIES
        ):
            yield Shop(client, model, task_queue)


def _texts(request: ModelRequest) -> str:
    return repr(items(request))


async def test_stop_a_streaming_turn(temporal_client: Client, task_queue: str) -> None:
    async with slow_shop(temporal_client, task_queue) as env:
        model = env.model
        assert isinstance(model, SlowShopModel)
        conversation = await env.start()
        sending = asyncio.create_task(conversation.send(SLOW))
        await asyncio.wait_for(model.waiting.wait(), 20)
        # The first deltas reached the stream before the stop.
        await eventually(
            lambda: read_events(env.client, conversation.workflow_id),
            lambda page: any(e.kind == "text_delta" for e in page.events),
        )

        stopped = await conversation.stop(operator="ada", reason="taking too long")
        sent = await sending
        # The model activity itself learned that it was cancelled (at its next heartbeat).
        await asyncio.wait_for(model.saw_cancellation.wait(), 20)
        page = await read_events(env.client, conversation.workflow_id)
        status = await conversation.status()
        next_reply = await conversation.send("hello again")
        transcript = await conversation.transcript()
        await save_history(conversation.handle, "conversation_stop_streaming")

    assert (stopped.status, stopped.turn, stopped.stopped_by) == ("stopped", 1, "ada")
    assert sent == stopped
    # The stream is settled: no delta kept, nothing streaming, the call ended as cancelled.
    assert not page.streaming
    assert [e for e in page.events if e.kind == "text_delta"] == []
    failed = [e for e in page.events if e.kind == "model_call_failed"]
    assert [e.text for e in failed] == ["The model call was cancelled."]
    assert page.events[-1].kind == "turn_stopped"
    assert page.events[-1].data == {"turn": 1, "operator": "ada", "reason": "taking too long"}
    assert (status.phase, status.pending_approvals) == ("idle", [])
    # The next message works, and the model does not see the stopped turn.
    assert (next_reply.status, next_reply.turn) == ("completed", 2)
    assert SLOW not in _texts(model.requests[-1])
    kinds = [(e.turn, e.kind) for e in transcript]
    assert kinds == [
        (1, "user_message"),
        (1, "turn_stopped"),
        (2, "user_message"),
        (2, "agent_message"),
    ]
    assert (transcript[1].sender, transcript[1].text) == (
        "ada",
        "ada stopped turn 1: taking too long",
    )


async def test_stop_a_turn_waiting_for_approval(temporal_client: Client, task_queue: str) -> None:
    async with shop(temporal_client, task_queue) as env:
        conversation = await env.start()
        paused = await conversation.send("refund A1 30")
        assert paused.status == "awaiting_approval"
        approval = paused.pending_approvals[0]

        stopped = await conversation.stop(operator="bob", turn=1)
        with pytest.raises(ConversationRefused) as late:
            await conversation.approve(approval.id, operator="carol")
        pending = await conversation.pending_approvals()
        next_reply = await conversation.send("hello")
        transcript = await conversation.transcript()
        await save_history(conversation.handle, "conversation_stop_awaiting_approval")

    assert (stopped.status, stopped.stopped_by) == ("stopped", "bob")
    assert late.value.reason == "AlreadyDecided"  # by the stop, which says who and when
    assert pending == []
    assert DESK.refunds == []
    assert next_reply.status == "completed"
    assert "refund" not in _texts(env.model.requests[-1])
    decision = next(e for e in transcript if e.kind == "approval_decision")
    assert decision.decision is not None
    assert (decision.decision.source, decision.decision.operator) == ("stopped", "bob")
    assert decision.text == "issue_refund call approval-1 rejected because bob stopped the turn"
    assert [e.kind for e in transcript if e.turn == 1][-1] == "turn_stopped"


async def test_nothing_to_stop_is_refused(temporal_client: Client, task_queue: str) -> None:
    async with shop(temporal_client, task_queue) as env:
        conversation: ConversationHandle = await env.start()
        with pytest.raises(ConversationRefused) as before_any:
            await conversation.stop(operator="ada")
        await conversation.send("hello")
        with pytest.raises(ConversationRefused) as after_reply:
            await conversation.stop(operator="ada", turn=1)
        with pytest.raises(ConversationRefused) as nobody:
            await conversation.stop(operator=" ")

    assert before_any.value.reason == "NothingToStop"
    assert before_any.value.message == "No turn is in progress: turn 0 has already ended."
    assert after_reply.value.reason == "NothingToStop"
    assert nobody.value.reason == "InvalidDecision"
