"""Compaction: older turns are summarized by a durable model call once over a token budget."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from agents import Agent, TResponseInputItem
from temporalio.client import Client

from agents_temporal._conversation.compaction import estimate_tokens, safe_split
from agents_temporal._payloads.workflow_refs import STORED_ITEMS_TYPE
from agents_temporal.testing import ResponseBuilders, TestModel
from agents_temporal.workflow import ConversationCompactor
from tests.long_conversations.support import agent_worker, model_inputs, scripted_model, workflow_id
from tests.long_conversations.workflows import (
    LongConversation,
    LongConversationInput,
    LongConversationResult,
)
from tests.replaying import save_history


def _items(*items: dict[str, Any]) -> list[TResponseInputItem]:
    return cast(list[TResponseInputItem], list(items))


CONVERSATION = _items(
    {"role": "user", "content": "hello"},
    {"type": "reasoning", "id": "rs_1", "summary": []},
    {"type": "function_call", "call_id": "a", "name": "t", "arguments": "{}"},
    {"type": "function_call", "call_id": "b", "name": "t", "arguments": "{}"},
    {"type": "function_call_output", "call_id": "a", "output": "A"},
    {"type": "function_call_output", "call_id": "b", "output": "B"},
    {"role": "assistant", "content": "done"},
)


def test_a_split_keeps_tool_calls_with_their_outputs_and_reasoning() -> None:
    # Splitting before output "b" would orphan it and output "a": both calls, and the reasoning
    # item that produced them, move to the kept side.
    assert safe_split(CONVERSATION, 5) == 1
    assert safe_split(CONVERSATION, 4) == 1
    assert safe_split(CONVERSATION, 6) == 6
    assert safe_split(CONVERSATION, 1) == 1


async def test_under_budget_nothing_is_summarized() -> None:
    compactor = ConversationCompactor(Agent(name="S"), max_tokens=estimate_tokens(CONVERSATION))
    assert await compactor.compact(CONVERSATION) is None


async def test_stored_items_reach_the_summarizer_as_items() -> None:
    # A reference to stored items is expanded only on the way to a model, so the summarizer
    # must get it as an item, not as a line of transcript.
    model = TestModel(lambda: ResponseBuilders.output_message("short"))
    compactor = ConversationCompactor(
        Agent(name="S", model=model), max_tokens=1, keep_recent_tokens=0
    )
    reference = {"type": STORED_ITEMS_TYPE, "segment": "abc", "items": 10}
    result = await compactor.compact(_items(reference, {"role": "user", "content": "hi"}))
    assert result is not None and result.summary == "short"
    sent = model.requests[0].input
    assert isinstance(sent, list) and sent[0] == reference


async def _converse(
    client: Client, task_queue: str, conversation: LongConversationInput, history: str
) -> tuple[LongConversationResult, list[int]]:
    handle = await client.start_workflow(
        LongConversation.run,
        conversation,
        id=workflow_id("compaction"),
        task_queue=task_queue,
        execution_timeout=timedelta(seconds=60),
    )
    result = await handle.result()
    await save_history(handle, history)
    sizes = [payload.ByteSize() for payload in model_inputs(await handle.fetch_history())]
    return result, sizes


async def test_session_compaction_between_turns(temporal_client: Client, task_queue: str) -> None:
    model = scripted_model()
    conversation = LongConversationInput(
        turns=5, pages_per_turn=2, page_bytes=1000, compaction="session", compact_above_tokens=800
    )
    async with agent_worker(temporal_client, task_queue, model=model) as client:
        result, _ = await _converse(client, task_queue, conversation, "long_compaction_session")
    # The model still accounts for every page and turn: the older ones through the summary.
    assert result.last_answer == "Turn 5 done: 10 pages (intact), 5 turns"
    assert result.compactions >= 3
    assert result.session_items < 10
    assert _summarizer_calls(model) == result.compactions


async def test_filter_compaction_within_a_long_run(
    temporal_client: Client, task_queue: str
) -> None:
    model = scripted_model()
    conversation = LongConversationInput(
        turns=1, pages_per_turn=16, page_bytes=1000, compaction="filter", compact_above_tokens=1000
    )
    async with agent_worker(temporal_client, task_queue, model=model) as client:
        result, sizes = await _converse(client, task_queue, conversation, "long_compaction_filter")
    assert result.last_answer == "Turn 1 done: 16 pages (intact), 1 turns"
    assert _summarizer_calls(model) >= 3
    # Without compaction the last inputs would hold all sixteen pages (16 KB and more).
    assert max(sizes[-5:]) < 8_000, sizes


def _summarizer_calls(model: TestModel) -> int:
    return sum(
        1
        for r in model.requests
        if r.system_instructions == "You write summaries of conversations."
    )
