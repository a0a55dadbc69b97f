"""Every committed hostile-input history replays without nondeterminism.

Record them again with ``REGENERATE_HISTORIES=1 uv run pytest tests/hostile``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.guarded import GuardedConversation
from tests.hostile.support import HISTORIES
from tests.hostile.workflows import DeskConversation, DeskTask

COMMITTED = HISTORIES.files("hostile_")


def test_histories_are_committed() -> None:
    assert {p.stem for p in COMMITTED} >= {
        "hostile_tool_call_cap",
        "hostile_task_tool_call_cap",
        "hostile_approvals_cap",
        "hostile_forged_snapshot",
        "hostile_unreadable_config",
        "hostile_unreadable_snapshot",
        "hostile_tightened_first_run",
        "hostile_tightened_last_run",
        "hostile_guarded",
    }, "record them with REGENERATE_HISTORIES=1 uv run pytest tests/hostile"


@pytest.mark.parametrize("path", COMMITTED, ids=[p.stem for p in COMMITTED])
async def test_replays(path: Path) -> None:
    await HISTORIES.replay(path, [DeskConversation, DeskTask, GuardedConversation])
