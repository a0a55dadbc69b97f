"""The streaming module exports exactly its curated, sorted names."""

from __future__ import annotations

from agents_temporal import streaming, workflow


def test_streaming_all_is_sorted_and_complete() -> None:
    public = sorted(name for name in vars(streaming) if not name.startswith("_"))
    assert streaming.__all__ == sorted(streaming.__all__)
    assert public == sorted(streaming.__all__)


def test_workflow_exports_the_stream_log() -> None:
    assert {"StreamEventLog", "StreamLogState"} <= set(workflow.__all__)
