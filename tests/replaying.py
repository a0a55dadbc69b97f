"""Committed workflow histories: record them on demand, replay them always.

Run a recording test with ``REGENERATE_HISTORIES=1`` to rewrite its files; the replay tests read
only the committed files, so a change that breaks determinism fails CI.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.worker import Replayer

from agents_temporal import OpenAIAgentsPlugin

HISTORIES = Path(__file__).parent / "histories"


def regenerating() -> bool:
    """Whether this run rewrites committed histories."""
    return os.environ.get("REGENERATE_HISTORIES") == "1"


async def save_history(handle: WorkflowHandle[Any, Any], name: str) -> None:
    """Write the workflow's history to ``tests/histories/<name>.json`` when regenerating."""
    if regenerating():
        _write(name, (await handle.fetch_history()).to_json())


def _write(name: str, text: str) -> None:
    HISTORIES.mkdir(exist_ok=True)
    (HISTORIES / f"{name}.json").write_text(text)


def load_history(path: Path) -> WorkflowHistory:
    """A committed history, ready to replay."""
    return WorkflowHistory.from_json(path.stem, path.read_text())


def history_files(prefix: str) -> list[Path]:
    """The committed histories whose names start with ``prefix``."""
    return sorted(HISTORIES.glob(f"{prefix}*.json"))


async def replay(
    path: Path, workflows: Sequence[type], plugin: OpenAIAgentsPlugin | None = None
) -> None:
    """Replay one committed history; raises on any nondeterminism."""
    history = load_history(path)
    replayer = Replayer(workflows=workflows, plugins=[plugin or OpenAIAgentsPlugin()])
    await replayer.replay_workflow(history)
