"""Every committed conversation history replays without nondeterminism.

Record them again with
``REGENERATE_HISTORIES=1 uv run pytest packages/agents-temporal/tests/conversations``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conversations.workflows import DescribedShopConversation, ShopConversation
from tests.replaying import history_files, replay

HISTORIES = history_files("conversation_")


def test_histories_are_committed() -> None:
    assert {p.stem for p in HISTORIES} >= {
        "conversation_handoff_first_run",
        "conversation_handoff_last_run",
        "conversation_approve_edit",
        "conversation_expired",
        "conversation_approval_after_continue_as_new",
        "conversation_stop_streaming",
        "conversation_stop_awaiting_approval",
        "conversation_approval_context",
    }, "REGENERATE_HISTORIES=1 uv run pytest packages/agents-temporal/tests/conversations"


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_replays(path: Path) -> None:
    await replay(path, [ShopConversation, DescribedShopConversation])
