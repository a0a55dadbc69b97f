"""Activity side of stored conversation segments: resolve references, store new items.

A segment is one JSON blob in the payload store, ``<ns>/<workflow id>/segments/<id>``, holding
its parent segment's id and the items added after it, encrypted by the data converter's codec
when there is one. The model activity finds the store through its worker's client: the first
of our drivers (``BlobStorageDriver``) in the data converter's external storage. Resolved
segments are cached per process, so a worker that keeps serving a conversation reads each
segment once; a worker new to a conversation lists its segments and fetches them together.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, cast

from agents import ModelResponse
from temporalio import activity
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec
from temporalio.exceptions import ApplicationError

from .._model_call import ModelCallResponse, StoredInputRef
from .storage import BlobStorageDriver, PayloadNotFoundError, PayloadStoreError, scope_key
from .workflow_refs import STORED_ITEMS_TYPE, canonical_json

STORAGE_MISSING_ERROR = "AgentsPayloadStorageMissing"
"""The error type of a model call whose worker cannot read the segments its input refers to."""

_CACHE_BYTES = 128 * 1024 * 1024
_FETCH_CONCURRENCY = 16
_SEGMENT_MARK = "agents-temporal-segment"


@dataclass(frozen=True)
class _Segment:
    parent: str | None
    items: list[Any]
    size: int


class _SegmentCache:
    """Recently used segments by id, bounded by their stored size."""

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._used = 0
        self._segments: OrderedDict[str, _Segment] = OrderedDict()

    def get(self, segment_id: str) -> _Segment | None:
        segment = self._segments.get(segment_id)
        if segment is not None:
            self._segments.move_to_end(segment_id)
        return segment

    def clear(self) -> None:
        self._used = 0
        self._segments.clear()

    def put(self, segment_id: str, segment: _Segment) -> None:
        if segment_id in self._segments:
            self._segments.move_to_end(segment_id)
            return
        self._segments[segment_id] = segment
        self._used += segment.size
        while self._used > self._budget and len(self._segments) > 1:
            _, evicted = self._segments.popitem(last=False)
            self._used -= evicted.size


_CACHE = _SegmentCache(_CACHE_BYTES)


class SegmentStore:
    """The segments of one workflow in the payload store of the current activity's worker."""

    def __init__(
        self, drivers: list[BlobStorageDriver], codec: PayloadCodec | None, scope: str
    ) -> None:
        self._drivers = drivers
        self._codec = codec
        self._scope = scope

    @staticmethod
    def for_current_activity() -> SegmentStore | None:
        """The store of the running activity's worker, or None when it has no payload storage."""
        try:
            converter = activity.client().data_converter
        except RuntimeError:
            return None  # no client: an ActivityEnvironment in a unit test
        storage = converter.external_storage
        drivers = [
            d for d in (storage.drivers if storage else ()) if isinstance(d, BlobStorageDriver)
        ]
        if not drivers:
            return None
        info = activity.info()
        return SegmentStore(
            drivers, converter.payload_codec, scope_key(info.workflow_namespace, info.workflow_id)
        )

    def _key(self, segment_id: str) -> str:
        return f"{self._scope}/segments/{segment_id}"

    async def save(self, segment_id: str, parent: str | None, items: list[Any]) -> None:
        """Store a segment (content-addressed, so storing it again is harmless)."""
        data = canonical_json({"parent": parent, "items": items})
        payload = Payload(metadata={"encoding": b"json/plain", _SEGMENT_MARK: b"v1"}, data=data)
        if self._codec is not None:
            [payload] = await self._codec.encode([payload])
        blob = payload.SerializeToString()
        await self._drivers[0].put_blob(self._key(segment_id), blob)
        _CACHE.put(segment_id, _Segment(parent, items, len(blob)))

    async def _fetch(self, segment_id: str) -> _Segment:
        key = self._key(segment_id)
        missing: PayloadNotFoundError | None = None
        for driver in self._drivers:
            try:
                blob = await driver.get_blob(key)
            except PayloadNotFoundError as error:
                missing = missing or error
                continue
            payload = Payload.FromString(blob)
            if self._codec is not None:
                [payload] = await self._codec.decode([payload])
            if payload.metadata.get(_SEGMENT_MARK) != b"v1":
                raise PayloadStoreError(f"{key!r} in {driver.describe()} is not a segment")
            body = json.loads(payload.data)
            segment = _Segment(body["parent"], body["items"], len(blob))
            _CACHE.put(segment_id, segment)
            return segment
        assert missing is not None
        raise missing

    async def _prefetch(self) -> None:
        # A worker new to a long conversation would otherwise read its chain one segment at a
        # time; listing the workflow's segments lets it read them all concurrently instead.
        prefix = f"{self._scope}/segments/"
        keys = await self._drivers[0].list_blobs(prefix)
        wanted = [k.removeprefix(prefix) for k in keys]
        wanted = [s for s in wanted if _CACHE.get(s) is None]
        gate = asyncio.Semaphore(_FETCH_CONCURRENCY)

        async def one(segment_id: str) -> None:
            async with gate:
                await self._fetch(segment_id)

        await asyncio.gather(*(one(s) for s in wanted))

    async def load(self, head: str, expected_items: int) -> list[Any]:
        """Every item of the chain that ends with segment ``head``, oldest first."""
        chain: list[_Segment] = []
        prefetched = False
        current: str | None = head
        while current is not None:
            segment = _CACHE.get(current)
            if segment is None:
                segment = await self._fetch(current)
                if not prefetched and segment.parent and _CACHE.get(segment.parent) is None:
                    prefetched = True
                    await self._prefetch()
            chain.append(segment)
            current = segment.parent
        items = [item for segment in reversed(chain) for item in segment.items]
        if len(items) != expected_items:
            raise PayloadStoreError(
                f"Stored conversation segment {head!r} holds {len(items)} items where the "
                f"workflow expects {expected_items}: the payload store holds different data "
                "than this workflow wrote"
            )
        return items

    async def expand(self, items: list[Any]) -> list[Any]:
        """``items`` with every stored-items reference replaced by the items it stands for."""
        if not any(_is_reference(item) for item in items):
            return items
        expanded: list[Any] = []
        for item in items:
            if _is_reference(item):
                # A reference's chain may hold the reference an earlier run carried over.
                stored = await self.load(str(item["segment"]), int(item["items"]))
                expanded.extend(await self.expand(stored))
            else:
                expanded.append(item)
        return expanded


def _is_reference(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    return cast(dict[str, Any], item).get("type") == STORED_ITEMS_TYPE


class ModelInput:
    """A model call's whole input, with the segment this call is storing alongside the call."""

    def __init__(
        self,
        items: str | list[Any],
        stored_as: str | None,
        storing: asyncio.Task[None] | None,
    ) -> None:
        self.items = items
        self._stored_as = stored_as
        self._storing = storing

    async def confirm(self, response: ModelResponse) -> ModelCallResponse:
        """The activity result: ``response``, saying which segment now holds this input."""
        if self._storing is not None:
            await self._storing
        fields = {f.name: getattr(response, f.name) for f in dataclasses.fields(ModelResponse)}
        return ModelCallResponse(**fields, stored_input=self._stored_as)


def _consume_failure(task: asyncio.Task[None]) -> None:
    # When the model call fails first, nobody awaits the store; its outcome no longer matters.
    if not task.cancelled():
        task.exception()


async def open_model_input(input: str | list[Any], ref: StoredInputRef | None) -> ModelInput:
    """Resolve ``input`` against stored segments and start storing this call's new items.

    Raises:
        ApplicationError: The input continues a stored segment but this worker has no payload
            storage (retryable: a correctly configured worker may take the call).
        PayloadStoreError: A segment is missing or damaged.
    """
    if isinstance(input, str):
        return ModelInput(input, None, None)
    parent = ref.parent if ref is not None else None
    has_reference = any(_is_reference(item) for item in input)
    if ref is None and not has_reference:
        return ModelInput(input, None, None)
    store = SegmentStore.for_current_activity()
    if store is None:
        if parent is not None or has_reference:
            raise ApplicationError(
                "This model call's input refers to conversation items in payload storage, but "
                "this worker has no payload storage: give every worker the same payload "
                "storage (PAYLOAD_STORAGE and its settings) as the worker that stored it",
                type=STORAGE_MISSING_ERROR,
            )
        return ModelInput(input, None, None)
    items = input
    if ref is not None and ref.parent is not None:
        items = await store.load(ref.parent, ref.parent_items) + input
    items = await store.expand(items)
    if ref is None or ref.store_as is None:
        return ModelInput(items, parent, None)
    storing = asyncio.create_task(store.save(ref.store_as, ref.parent, input))
    storing.add_done_callback(_consume_failure)
    return ModelInput(items, ref.store_as, storing)
