"""Committed histories of streamed runs (deltas arriving as signals, observers' updates) replay."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.replaying import history_files, replay
from tests.streaming.workflows import ManualStream, StreamedWithoutLog, StreamingAssistant

HISTORIES = history_files("streaming_")


def test_histories_are_committed() -> None:
    assert len(HISTORIES) >= 3, (
        "REGENERATE_HISTORIES=1 uv run pytest packages/agents-temporal/tests/streaming"
    )


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_replays(path: Path) -> None:
    await replay(path, [StreamingAssistant, StreamedWithoutLog, ManualStream])
