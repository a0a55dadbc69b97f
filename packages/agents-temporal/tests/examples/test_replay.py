"""Every committed history of the standard examples replays without nondeterminism."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.examples.test_spec_examples import WORKFLOWS
from tests.replaying import history_files, replay

HISTORIES = history_files("spec_")


def test_histories_are_committed() -> None:
    assert len(HISTORIES) >= 8, (
        "REGENERATE_HISTORIES=1 uv run pytest packages/agents-temporal/tests/examples"
    )


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_replays(path: Path) -> None:
    await replay(path, WORKFLOWS)
