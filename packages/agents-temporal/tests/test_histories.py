"""WorkflowHistories: record on demand, list, load and replay committed histories."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHandle, WorkflowHistory

from agents_temporal.testing import WorkflowHistories
from stack_testapp.spec_examples import HelloWorldAgent

COMMITTED = WorkflowHistories(Path(__file__).parent / "histories")


class _Handle:
    """Just enough of a WorkflowHandle for `save`: its history."""

    def __init__(self, history: WorkflowHistory) -> None:
        self._history = history

    async def fetch_history(self) -> WorkflowHistory:
        return self._history


def _handle(history: WorkflowHistory) -> WorkflowHandle[Any, Any]:
    return cast("WorkflowHandle[Any, Any]", _Handle(history))


@workflow.defn(name="HelloWorldAgent", sandboxed=False)
class AnswersWithoutTheModel:
    """HelloWorldAgent changed so that it no longer calls the model its history recorded."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        return prompt


async def test_save_writes_only_when_regenerating(tmp_path: Path) -> None:
    history = COMMITTED.load("spec_hello_world")
    quiet = WorkflowHistories(tmp_path / "quiet", regenerate=False)
    assert await quiet.save(_handle(history), "hello") is None
    assert not quiet.directory.exists()

    recording = WorkflowHistories(tmp_path / "new" / "histories", regenerate=True)
    written = await recording.save(_handle(history), "hello")
    assert written == recording.path("hello") == tmp_path / "new" / "histories" / "hello.json"
    assert recording.files() == [written]
    assert recording.load("hello").events == history.events


def test_regenerating_follows_the_environment_unless_told(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("REGENERATE_HISTORIES", raising=False)
    assert not WorkflowHistories(tmp_path).regenerating
    monkeypatch.setenv("REGENERATE_HISTORIES", "1")
    assert WorkflowHistories(tmp_path).regenerating
    assert not WorkflowHistories(tmp_path, regenerate=False).regenerating


def test_files_are_the_committed_ones_by_prefix_in_name_order() -> None:
    spec = COMMITTED.files("spec_")
    assert spec == sorted(spec) and len(spec) >= 8
    assert all(p.suffix == ".json" and p.stem.startswith("spec_") for p in spec)
    assert COMMITTED.path("spec_hello_world") in spec
    assert set(spec) < set(COMMITTED.files())
    assert COMMITTED.load(COMMITTED.path("spec_hello_world")).workflow_id == "spec_hello_world"


def test_loading_a_history_never_recorded_says_which_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"missing\.json"):
        WorkflowHistories(tmp_path).load("missing")


async def test_replay_passes_for_the_same_code_and_fails_for_changed_code() -> None:
    await COMMITTED.replay("spec_hello_world", [HelloWorldAgent])
    with pytest.raises(workflow.NondeterminismError):
        await COMMITTED.replay("spec_hello_world", [AnswersWithoutTheModel])
