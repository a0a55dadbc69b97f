"""The library's run hooks pass every hook of the SDK on to the caller's hooks."""

from __future__ import annotations

from typing import Any

import pytest
from agents import RunHooks

from agents_temporal._hooks import HOOK_NAMES, ForwardingRunHooks
from agents_temporal._model.workflow_model import AgentTracker, TrackingHooks
from agents_temporal.workflow import UsageHooks, UsageReport


class _Recorder(RunHooks[Any]):
    def __init__(self) -> None:
        self.heard: list[str] = []

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("on_"):

            async def record(*args: Any, **kwargs: Any) -> None:
                self.heard.append(name)

            return record
        return super().__getattribute__(name)


class _Agent:
    name = "Triage"


def test_the_sdk_has_the_hooks_we_know_of() -> None:
    # A guard that the hooks are read from the SDK: if this list shrinks, forwarding broke.
    assert {"on_llm_start", "on_llm_end", "on_agent_start", "on_tool_end"} <= set(HOOK_NAMES)


@pytest.mark.parametrize("name", HOOK_NAMES)
@pytest.mark.parametrize("kind", ["forwarding", "tracking"])
async def test_every_hook_reaches_the_callers_hooks(name: str, kind: str) -> None:
    inner = _Recorder()
    hooks = (
        ForwardingRunHooks(inner) if kind == "forwarding" else TrackingHooks(inner, AgentTracker())
    )
    await getattr(hooks, name)(None, _Agent(), None, None)
    assert inner.heard == [name]


async def test_usage_hooks_record_then_forward() -> None:
    inner = _Recorder()
    report = UsageReport()
    hooks = UsageHooks(report, turn=3, inner=inner)
    for name in HOOK_NAMES:
        if name != "on_llm_end":
            await getattr(hooks, name)(None, _Agent(), None, None)
    assert inner.heard == [n for n in HOOK_NAMES if n != "on_llm_end"]


async def test_tracking_hooks_note_the_agent_about_to_call_the_model() -> None:
    tracker = AgentTracker()
    await TrackingHooks(None, tracker).on_llm_start(None, _Agent(), None, [])  # pyright: ignore[reportArgumentType]
    assert tracker.agent_name == "Triage"
