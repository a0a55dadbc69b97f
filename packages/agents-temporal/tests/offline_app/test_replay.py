"""The offline app's committed history replays.

Record it again with
``REGENERATE_HISTORIES=1 uv run pytest packages/agents-temporal/tests/offline_app``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.offline_app.workflow import ShelfConversation
from tests.replaying import history_files, replay

HISTORIES = history_files("offline_app_")


def test_histories_are_committed() -> None:
    assert {p.stem for p in HISTORIES} >= {"offline_app_conversation"}


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_replays(path: Path) -> None:
    await replay(path, [ShelfConversation])
