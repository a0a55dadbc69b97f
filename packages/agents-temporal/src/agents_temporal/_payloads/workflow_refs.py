"""Workflow side of stored conversation segments: send each item to the model activity once.

Every model call of a run gets the whole conversation so far, so sending it each time makes
history (or the payload store) grow with the square of the conversation. Instead, once a model
activity has stored the conversation it was given as a *segment* (``_storage_segments.py``),
later calls name that segment and send only the items that came after it. Segments form a
chain: each holds its parent's id and the items added since, so stored bytes grow linearly.

The workflow remembers, per run, which of its recent inputs were stored (it learns so from the
model activity's result, which is recorded in history, so replay rebuilds the same knowledge)
and references the longest stored prefix of each new input. Short conversations are sent
whole, as before, so their history stays readable in the Web UI.

A conversation that continues as new carries its items into the next run; the stored ones can
travel as a single reference item (``reference_stored_items``), which the model activity
expands, so no run stores the conversation again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from agents import ModelResponse
from pydantic_core import PydanticSerializationError, to_json, to_jsonable_python

from .._model_call import ModelCallResponse, StoredInputRef

REFERENCE_FROM_BYTES = 16 * 1024
"""An input smaller than this (as JSON) is sent whole; from this size on, it is stored."""

STORED_ITEMS_TYPE = "agents_temporal.stored_items"
"""The type of an input item that stands for a stored chain of conversation items."""

_RECENT_INPUTS = 8
# After a model activity did not store an input (its worker has no payload storage), this many
# calls go by before the workflow asks again: asking costs hashing the whole input.
_CALLS_BEFORE_ASKING_AGAIN = 16
_ATTR = "_agents_temporal_stored_inputs"


def canonical_json(value: Any) -> bytes:
    """The bytes a segment id is computed from: the same on every worker and every replay."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True
    ).encode("utf-8", "surrogatepass")


def _clearly_short(items: list[Any]) -> bool:
    """Whether ``items`` are far below the size worth storing, judged by a fast serializer.

    Every short call would otherwise pay for the canonical (sorted, Python) encoding just to
    learn it is short. The fast encoding differs from the canonical one only in key order and
    number spelling, so a quarter's margin keeps the decision exactly the canonical one's.
    """
    try:
        return len(to_json(items)) < REFERENCE_FROM_BYTES * 3 // 4
    except PydanticSerializationError:  # e.g. lone surrogates: let the canonical encoding judge
        return False


def segment_id(parent: str | None, items: Sequence[Any] | bytes) -> str:
    """The content address of a segment: its parent's id and its items (or their JSON)."""
    digest = hashlib.sha256(b"agents_temporal.segment/v1\n")
    digest.update((parent or "-").encode())
    digest.update(b"\n")
    digest.update(items if isinstance(items, bytes) else canonical_json(list(items)))
    return digest.hexdigest()


@dataclass(frozen=True)
class _Node:
    """One stored segment as the workflow knows it: the chain is walked through ``parent``."""

    segment: str
    items: int
    parent: _Node | None


@dataclass
class _Known:
    """A recent input the model activity stored (as its JSON items), and its segment."""

    items: list[Any]
    node: _Node

    def __len__(self) -> int:
        return self.node.items

    def common_prefix(self, items: Sequence[Any]) -> int:
        """How many leading items of ``items`` this input shares."""
        length = min(len(items), self.node.items)
        known = self.items
        for index in range(length):
            a, b = items[index], known[index]
            if a is not b and a != b:
                return index
        return length


@dataclass
class PreparedInput:
    """A model call's input as it goes to the activity, and how to learn from the result."""

    items: str | list[Any]
    """What the activity input carries: the whole input, or the items after ``ref.parent``."""

    ref: StoredInputRef | None
    """The stored segment the input continues, or None when it is sent whole."""

    _tracker: StoredInputs | None = None
    _known: list[Any] | None = None
    _node: _Node | None = None

    def confirm(self, response: ModelResponse) -> ModelResponse:
        """Remember the stored segment when the activity says it stored this input."""
        ref, tracker, known = self.ref, self._tracker, self._known
        if ref is None or tracker is None or known is None:
            return response
        stored = response.stored_input if isinstance(response, ModelCallResponse) else None
        if ref.store_as is not None and stored == ref.store_as:
            tracker.remember(_Known(known, _Node(ref.store_as, len(known), self._node)))
        elif ref.store_as is not None:
            tracker.declined()
        return response


class StoredInputs:
    """What one workflow run knows about the conversation segments its model calls stored."""

    def __init__(self) -> None:
        self._recent: list[_Known] = []
        self._calls_before_asking = 0

    @staticmethod
    def current() -> StoredInputs:
        """The tracker of the workflow running now (one per run, like its event loop)."""
        loop = asyncio.get_running_loop()
        tracker = getattr(loop, _ATTR, None)
        if not isinstance(tracker, StoredInputs):
            tracker = StoredInputs()
            setattr(loop, _ATTR, tracker)
        return tracker

    def remember(self, known: _Known) -> None:
        """Keep ``known`` as the newest stored input, forgetting the oldest past a few."""
        self._recent.append(known)
        del self._recent[:-_RECENT_INPUTS]

    def declined(self) -> None:
        """The model activity did not store an input: its worker has no payload storage."""
        self._calls_before_asking = _CALLS_BEFORE_ASKING_AGAIN

    def longest(self, items: Sequence[Any]) -> tuple[_Known | None, _Node | None]:
        """The stored input sharing most leading items with ``items``, and its segment.

        The segment is the deepest one of that input's chain lying wholly inside what they share.
        """
        best: _Known | None = None
        best_length = 0
        for known in reversed(self._recent):
            if len(known) <= best_length:
                continue
            length = known.common_prefix(items)
            if length > best_length:
                best, best_length = known, length
        if best is None:
            return None, None
        node: _Node | None = best.node
        # Reference the longest stored segment that lies wholly inside the common prefix.
        while node is not None and node.items > best_length:
            node = node.parent
        return best, node

    def prepare(self, value: str | list[Any]) -> PreparedInput:
        """Decide what the model activity input carries for ``value``.

        Args:
            value: The call's input as JSON data (as ``ModelCallInput.input`` holds it). Its
                items are kept to recognise later inputs, so they must not be changed later.
        """
        if isinstance(value, str):
            return PreparedInput(value, None)
        known, node = self.longest(value)
        if node is None or known is None:
            whole = list(value)
            if self._calls_before_asking > 0:
                self._calls_before_asking -= 1
                return PreparedInput(whole, None)
            if _clearly_short(whole):
                return PreparedInput(whole, None)
            encoded = canonical_json(whole)
            if len(encoded) < REFERENCE_FROM_BYTES:
                return PreparedInput(whole, None)
            ref = StoredInputRef(None, 0, segment_id(None, encoded))
            return PreparedInput(whole, ref, self, whole, None)
        suffix = list(value[node.items :])
        if not suffix:
            return PreparedInput(suffix, StoredInputRef(node.segment, node.items, None))
        ref = StoredInputRef(node.segment, node.items, segment_id(node.segment, suffix))
        return PreparedInput(suffix, ref, self, list(value), node)


def prepare_input(value: str | list[Any]) -> PreparedInput:
    """Build the model activity input for ``value`` in the workflow running now."""
    return StoredInputs.current().prepare(value)


def reference_stored_items(items: Sequence[Any]) -> list[dict[str, Any]]:
    """Replace the items that model calls already stored with one reference item.

    Use it on a conversation that continues as new: the next run's input then carries a small
    reference instead of the whole conversation, which would otherwise be stored again with
    every continue-as-new. The model still gets every item (the model activity expands the
    reference from the payload store); workflow code sees the reference item instead.

    Args:
        items: The conversation, e.g. ``WorkflowSession.export_items()``.

    Returns:
        The items as JSON data, the stored ones replaced by a reference; unchanged when nothing
        is stored (no payload storage, or a short conversation).
    """
    plain = [cast(dict[str, Any], to_jsonable_python(item)) for item in items]
    _, node = StoredInputs.current().longest(plain)
    if node is None:
        return plain
    reference = {"type": STORED_ITEMS_TYPE, "segment": node.segment, "items": node.items}
    return [reference, *plain[node.items :]]
