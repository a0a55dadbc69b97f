"""Committed SupportConversation histories replay without nondeterminism."""

from __future__ import annotations

from pathlib import Path

import pytest

from support_agents import SupportConversation
from tests.support.conftest import HISTORIES as COMMITTED

HISTORIES = COMMITTED.files("support_")


def test_histories_are_committed() -> None:
    assert HISTORIES, "record with REGENERATE_HISTORIES=1 uv run pytest apps/support-agents/tests"


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_replays(path: Path) -> None:
    await COMMITTED.replay(path, [SupportConversation])
