"""The library's committed workflow histories, in ``tests/histories`` beside this file.

Run a recording test with ``REGENERATE_HISTORIES=1`` to rewrite its files; the replay tests read
only the committed files, so a change that breaks determinism fails CI. The names below are the
verbs of `agents_temporal.testing.WorkflowHistories`, bound to this directory.
"""

from __future__ import annotations

from pathlib import Path

from agents_temporal.testing import WorkflowHistories

HISTORIES = Path(__file__).parent / "histories"
_COMMITTED = WorkflowHistories(HISTORIES)

save_history = _COMMITTED.save
history_files = _COMMITTED.files
load_history = _COMMITTED.load
replay = _COMMITTED.replay


def regenerating() -> bool:
    """Whether this run rewrites committed histories."""
    return _COMMITTED.regenerating
