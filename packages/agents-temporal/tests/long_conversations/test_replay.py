"""Every committed long-conversation history replays without nondeterminism.

Record them again with
``REGENERATE_HISTORIES=1 uv run pytest packages/agents-temporal/tests/long_conversations``.
A history whose payloads live in payload storage has its store committed beside it as
``<name>_store.json``; encrypted histories use the fixed test keys.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.worker import Replayer

from agents_temporal import (
    EncryptionCodec,
    LocalStorageDriver,
    OpenAIAgentsPlugin,
    build_data_converter,
)
from tests.long_conversations.support import TEST_KEYS, restore_snapshot
from tests.long_conversations.workflows import WORKFLOWS
from tests.replaying import history_files, load_history

HISTORIES = [p for p in history_files("long_") if not p.stem.endswith("_store")]


def test_histories_are_committed() -> None:
    assert {p.stem for p in HISTORIES} >= {
        "long_compaction_filter",
        "long_compaction_session",
        "long_encrypted_rotation",
        "long_stored_encrypted",
    }, "REGENERATE_HISTORIES=1 uv run pytest packages/agents-temporal/tests/long_conversations"


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_replays(path: Path, tmp_path: Path) -> None:
    store = path.with_name(f"{path.stem}_store.json")
    if store.exists():
        restore_snapshot(store.read_text(), tmp_path)
    # Plain payloads pass through the codec, so one converter reads every history.
    converter = build_data_converter(
        storage=LocalStorageDriver(tmp_path), codec=EncryptionCodec(TEST_KEYS)
    )
    replayer = Replayer(
        workflows=WORKFLOWS, plugins=[OpenAIAgentsPlugin()], data_converter=converter
    )
    await replayer.replay_workflow(load_history(path))
