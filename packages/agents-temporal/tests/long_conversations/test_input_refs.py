"""Model call inputs reference stored conversation segments: the workflow and activity sides."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from agents import ModelResponse, Usage
from temporalio.exceptions import ApplicationError

from agents_temporal import EncryptionCodec, LocalStorageDriver, PayloadStoreError
from agents_temporal._model_call import ModelCallResponse, StoredInputRef
from agents_temporal._payloads.activity_segments import (
    _CACHE,  # pyright: ignore[reportPrivateUsage]
    STORAGE_MISSING_ERROR,
    SegmentStore,
    open_model_input,
)
from agents_temporal._payloads.workflow_refs import (
    REFERENCE_FROM_BYTES,
    STORED_ITEMS_TYPE,
    StoredInputs,
)
from tests.long_conversations.support import all_stored_files, contains


def _item(n: int, size: int = 6_000) -> dict[str, Any]:
    return {"type": "function_call_output", "call_id": f"c{n}", "output": f"{n}:" + "x" * size}


def _stored(segment: str | None) -> ModelCallResponse:
    return ModelCallResponse(output=[], usage=Usage(), response_id=None, stored_input=segment)


def test_small_inputs_are_sent_whole() -> None:
    prepared = StoredInputs().prepare([_item(1, 100)])
    assert prepared.ref is None
    assert StoredInputs().prepare("hello").items == "hello"


def test_stored_prefixes_are_referenced_and_only_new_items_sent() -> None:
    inputs = StoredInputs()
    first = [_item(n) for n in range(3)]
    assert len(str(first)) > REFERENCE_FROM_BYTES
    one = inputs.prepare(first)
    assert one.ref is not None and one.ref.parent is None and one.items == first
    one.confirm(_stored(one.ref.store_as))

    two = inputs.prepare([*first, _item(3), _item(4)])
    assert two.ref == StoredInputRef(one.ref.store_as, 3, two.ref.store_as if two.ref else None)
    assert two.items == [_item(3), _item(4)]
    two.confirm(_stored(two.ref.store_as if two.ref else None))

    # A conversation that diverges after the first segment (an edited history, a handoff
    # filter) references the deepest stored segment inside the common part.
    three = inputs.prepare([*first, _item(9)])
    assert three.ref is not None
    assert (three.ref.parent, three.ref.parent_items) == (one.ref.store_as, 3)
    assert three.items == [_item(9)]

    # The same input again needs nothing new stored.
    again = inputs.prepare([*first, _item(3), _item(4)])
    assert again.items == [] and again.ref is not None and again.ref.store_as is None


def test_a_worker_without_storage_is_not_asked_every_call() -> None:
    inputs = StoredInputs()
    big = [_item(n) for n in range(3)]
    asked = inputs.prepare(big)
    assert asked.ref is not None
    asked.confirm(ModelResponse(output=[], usage=Usage(), response_id=None))
    skipped = [inputs.prepare(big).ref for _ in range(16)]
    assert skipped == [None] * 16
    assert inputs.prepare(big).ref is not None, "it asks again later"


async def test_outside_a_storage_worker_references_fail_clearly() -> None:
    whole = await open_model_input([_item(1)], StoredInputRef(None, 0, "abc"))
    assert whole.items == [_item(1)]
    with pytest.raises(ApplicationError, match="no payload storage") as caught:
        await open_model_input([_item(2)], StoredInputRef("abc", 1, "def"))
    assert caught.value.type == STORAGE_MISSING_ERROR
    assert not caught.value.non_retryable, "a correctly configured worker may take the call"


async def test_segments_round_trip_encrypted_and_are_read_back_by_a_new_worker(
    tmp_path: Path,
) -> None:
    codec = EncryptionCodec({"k": os.urandom(32)})
    store = SegmentStore([LocalStorageDriver(tmp_path)], codec, "default/conversation")
    await store.save("s1", None, [_item(1)])
    await store.save("s2", "s1", [_item(2), _item(3)])
    await store.save("s3", "s2", [_item(4)])
    assert not contains(all_stored_files(tmp_path), b"xxxx")
    assert await store.load("s3", 4) == [_item(n) for n in range(1, 5)]

    # A worker that has never seen the conversation lists its segments and reads them all.
    _CACHE.clear()
    assert await store.load("s2", 3) == [_item(n) for n in range(1, 4)]
    with pytest.raises(PayloadStoreError, match="holds 3 items where the workflow expects 5"):
        await store.load("s2", 5)


async def test_stored_items_travel_as_one_reference_the_activity_expands(
    tmp_path: Path,
) -> None:
    inputs = StoredInputs()
    big = [_item(n) for n in range(3)]
    one = inputs.prepare(big)
    assert one.ref is not None and one.ref.store_as is not None
    one.confirm(_stored(one.ref.store_as))
    carried = StoredInputs.longest(inputs, [*big, _item(3)])[1]
    assert carried is not None and carried.segment == one.ref.store_as

    store = SegmentStore([LocalStorageDriver(tmp_path)], None, "default/conversation")
    await store.save(one.ref.store_as, None, big)
    reference = {"type": STORED_ITEMS_TYPE, "segment": one.ref.store_as, "items": 3}
    # A later run stored its own segment holding the reference: both levels expand.
    await store.save("next", None, [reference, _item(3)])
    nested = {"type": STORED_ITEMS_TYPE, "segment": "next", "items": 2}
    assert await store.expand([nested, _item(4)]) == [_item(n) for n in range(5)]
