"""Long conversations: items go to the model activity once, and huge tool outputs fit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from temporalio.client import Client

from agents_temporal import EncryptionCodec, LocalStorageDriver, build_data_converter
from agents_temporal._payloads.workflow_refs import REFERENCE_FROM_BYTES
from tests.long_conversations.support import (
    TEST_KEYS,
    agent_worker,
    model_inputs,
    payloads_of,
    store_snapshot,
    stored_files,
    workflow_id,
)
from tests.long_conversations.workflows import (
    LongConversation,
    LongConversationInput,
    LongConversationResult,
)
from tests.replaying import HISTORIES, regenerating, save_history

PAGE = 10 * 1024


async def _converse(
    client: Client, task_queue: str, conversation: LongConversationInput, prefix: str
) -> tuple[LongConversationResult, list[int]]:
    """Run a conversation; return its result and the size of every model call's input."""
    handle = await client.start_workflow(
        LongConversation.run,
        conversation,
        id=workflow_id(prefix),
        task_queue=task_queue,
        execution_timeout=timedelta(seconds=60),
    )
    result = await handle.result()
    sizes: list[int] = []
    run_id: str | None = handle.first_execution_run_id
    while run_id is not None:
        history = await client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
        sizes += [payload.ByteSize() for payload in model_inputs(history)]
        last = history.events[-1]
        attributes = last.workflow_execution_continued_as_new_event_attributes
        run_id = attributes.new_execution_run_id or None
    return result, sizes


async def test_model_calls_reference_items_already_stored(
    temporal_client: Client, task_queue: str, tmp_path: Path
) -> None:
    storage = LocalStorageDriver(tmp_path)
    conversation = LongConversationInput(
        turns=3, pages_per_turn=4, page_bytes=PAGE, continue_after_turns=2
    )
    async with agent_worker(
        temporal_client, task_queue, data_converter=build_data_converter(storage=storage)
    ) as client:
        result, sizes = await _converse(client, task_queue, conversation, "refs")

    # The model saw every page and every turn, unchanged, across continue-as-new.
    assert result.last_answer == "Turn 3 done: 12 pages (intact), 3 turns"
    assert result.runs == 2
    assert len(sizes) == 15
    # Whole conversations would pass 100 KB by the last call. With references, an input is
    # sent whole only while it is small; after that it carries about the newest page.
    assert max(sizes) < REFERENCE_FROM_BYTES + 1.5 * PAGE, sizes
    assert sum(s > 2 * PAGE for s in sizes) <= 2, sizes
    # Each page is stored once, also across continue-as-new: the next run got one reference
    # item for what the first had stored, not the conversation again.
    assert len(stored_files(tmp_path, "*/*/segments/*")) >= 10
    assert storage.stored_bytes() < 1.2 * 12 * PAGE


async def test_without_storage_inputs_carry_the_whole_conversation(
    temporal_client: Client, task_queue: str
) -> None:
    conversation = LongConversationInput(turns=2, pages_per_turn=4, page_bytes=PAGE)
    async with agent_worker(temporal_client, task_queue) as client:
        result, sizes = await _converse(client, task_queue, conversation, "whole")
    assert result.last_answer == "Turn 2 done: 8 pages (intact), 2 turns"
    # The control for the test above: here every input resends all pages read so far.
    assert sizes[-1] > 8 * PAGE


async def test_tool_output_above_the_payload_size_limit_completes(
    temporal_client: Client, task_queue: str, tmp_path: Path
) -> None:
    # The dev server refuses payloads above 2 MB; a 3 MB page must live in payload storage.
    page = 3 * 1024 * 1024
    storage = LocalStorageDriver(tmp_path)
    conversation = LongConversationInput(turns=1, pages_per_turn=2, page_bytes=page)
    async with agent_worker(
        temporal_client, task_queue, data_converter=build_data_converter(storage=storage)
    ) as client:
        result, sizes = await _converse(client, task_queue, conversation, "huge")
    assert result.last_answer == "Turn 1 done: 2 pages (intact), 1 turns"
    assert max(sizes) < 4096, "history holds references, not the pages"
    assert storage.stored_bytes() > 2 * page


async def test_stored_encrypted_conversation(
    temporal_client: Client, task_queue: str, tmp_path: Path
) -> None:
    """Storage, references, continue-as-new and encryption together, recorded for replay."""
    converter = build_data_converter(
        storage=LocalStorageDriver(tmp_path),
        codec=EncryptionCodec(TEST_KEYS, "key-a"),
        threshold_bytes=4096,
    )
    conversation = LongConversationInput(
        turns=3, pages_per_turn=3, page_bytes=5000, continue_after_turns=2
    )
    async with agent_worker(temporal_client, task_queue, data_converter=converter) as client:
        handle = await client.start_workflow(
            LongConversation.run,
            conversation,
            id=workflow_id("stored"),
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=60),
        )
        result = await handle.result()
        # The last run: it starts from one reference item standing for what the first stored.
        latest = client.get_workflow_handle(handle.id)
        await save_history(latest, "long_stored_encrypted")
    if regenerating():
        (HISTORIES / "long_stored_encrypted_store.json").write_text(store_snapshot(tmp_path))
    assert result.last_answer == "Turn 3 done: 9 pages (intact), 3 turns"
    assert result.runs == 2
    history = await handle.fetch_history()
    payloads = payloads_of(history.events)
    references = [p for p in payloads if p.external_payloads]
    assert len(references) >= 6, "pages and the inputs holding them live in the store"
    assert all(
        p.external_payloads or p.metadata["encoding"] == b"binary/encrypted" for p in payloads
    )
    assert stored_files(tmp_path, "*/*/segments/*"), "later model calls referenced stored segments"
