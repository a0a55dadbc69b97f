"""Workflows started on a worker running the published integration finish on a worker of ours.

The published integration (``temporalio.openai_agents`` 1.1.0) and ours name the model activity
alike (``invoke_model_activity``), so a worker of ours replays a history the published one wrote
and schedules what it would have scheduled next. The live test runs the published worker in an
isolated environment (its ``openai-agents`` pin is older than ours), stops it in the middle of
its runs, and lets ours finish them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from agents_temporal import ModelActivityParameters
from agents_temporal._model.published_input import read_call_input
from agents_temporal.testing import AgentEnvironment
from tests.examples.test_spec_examples import WORKFLOWS
from tests.replaying import load_history, replay, save_history
from tests.takeover.scripted import ScriptedProvider
from tests.takeover.workflows import TOOL, ParcelAgent, release_parcel

PUBLISHED = ("temporalio-openai-agents==1.1.0", "openai-agents==0.22.*")
"""What the published side installs, as ``bench/compare.py`` runs it."""

ISOLATED = ("uv", "run", "--isolated", "--no-project", "--offline")
"""An environment of its own, from the uv cache only: a test downloads nothing."""

PACKAGE = Path(__file__).resolve().parents[2]
"""packages/agents-temporal, whose ``tests`` folder the published worker imports."""

MODEL_ACTIVITY = "invoke_model_activity"
OUR_PATCH = "agents_temporal.model-activity-named-as-published"
PUBLISHED_HEADER = "__openai_span"
PARAMS = ModelActivityParameters(start_to_close_timeout=timedelta(seconds=30))


def _isolated_python(*args: str) -> list[str]:
    return [*ISOLATED, *(f"--with={r}" for r in PUBLISHED), "python", *args]


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return {**env, "PYTHONPATH": str(PACKAGE)}


@pytest.fixture(scope="module")
def published_env() -> None:
    """Skip unless the published integration's environment can be built from the uv cache."""
    probe = subprocess.run(
        _isolated_python("-c", "import temporalio.openai_agents"),
        capture_output=True,
        text=True,
        env=_child_env(),
        timeout=300,
        check=False,
    )
    if probe.returncode != 0:
        fill = " ".join(a for a in _isolated_python("-c", "pass") if a != "--offline")
        pytest.skip(
            "the published integration is not in the uv cache; fill it once with: "
            f"{fill} ({probe.stderr.strip().splitlines()[-1:]})"
        )


def _scheduled(events: list[HistoryEvent]) -> list[str]:
    return [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in events
        if e.HasField("activity_task_scheduled_event_attributes")
    ]


def _patches(events: list[HistoryEvent]) -> list[str]:
    return [
        e.marker_recorded_event_attributes.details["patch-data"].payloads[0].data.decode()
        for e in events
        if e.HasField("marker_recorded_event_attributes")
    ]


async def _events(handle: WorkflowHandle[ParcelAgent, str]) -> list[HistoryEvent]:
    return [event async for event in handle.fetch_history_events()]


async def _until_scheduled(handle: WorkflowHandle[ParcelAgent, str], activity_type: str) -> None:
    """Wait until the run schedules an activity of ``activity_type``, following its history."""
    async for event in handle.fetch_history_events(wait_new_event=True):
        if _scheduled([event]) == [activity_type]:
            return


def _kill(process: asyncio.subprocess.Process) -> None:
    """SIGKILL the worker's process group (uv and the Python it started)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@pytest_asyncio.fixture(loop_scope="session")
async def published_worker(
    published_env: None, temporal_env: WorkflowEnvironment, tmp_path: Path
) -> AsyncIterator[tuple[asyncio.subprocess.Process, dict[str, list[str]], list[str]]]:
    """The published worker, its runs (name: workflow id, run id) and task queues, ready."""
    address = temporal_env.client.service_client.config.target_host
    prefix = f"takeover-{uuid.uuid4().hex[:8]}"  # noqa: TID251 - test ids, not workflow code
    queues = [f"{prefix}-{name}" for name in ("tool", "model", "done")]
    script = Path(__file__).with_name("published_worker.py")
    log = (tmp_path / "published.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        *_isolated_python(str(script), address, prefix, *queues),
        stdout=asyncio.subprocess.PIPE,
        stderr=log,
        env=_child_env(),
        # uv runs the worker as its child: the test stops the whole group, never only uv.
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 120)
        assert line, (tmp_path / "published.log").read_text()[-3000:]
        yield process, json.loads(line)["runs"], queues
    finally:
        _kill(process)
        await process.communicate()  # reads the pipe to its end, which closes it
        log.close()


@contextlib.asynccontextmanager
async def _ours(client: Client) -> AsyncGenerator[Client]:
    """``client`` with our plugin, its model the scripted one answering as "ours"."""
    provider = ScriptedProvider("ours")
    async with AgentEnvironment(model_provider=provider, model_params=PARAMS) as env:
        yield env.applied_on_client(client)


def _worker(client: Client, task_queue: str) -> Worker:
    return Worker(
        client, task_queue=task_queue, workflows=[ParcelAgent], activities=[release_parcel]
    )


@pytest.mark.published
async def test_runs_started_on_the_published_integration_finish_on_ours(
    published_worker: tuple[asyncio.subprocess.Process, dict[str, list[str]], list[str]],
    temporal_client: Client,
) -> None:
    process, runs, (tool_queue, model_queue, _) = published_worker
    handles = {
        name: temporal_client.get_workflow_handle_for(ParcelAgent.run, workflow_id, run_id=run_id)
        for name, (workflow_id, run_id) in runs.items()
    }
    # The published worker made the first model call of the tool runs, whose tool no worker
    # serves yet; the model run's first call waits, scheduled with the published input.
    for name in ("tool-1", "tool-2"):
        await _until_scheduled(handles[name], TOOL)
    await _until_scheduled(handles["model"], MODEL_ACTIVITY)
    assert await handles["done"].result() == "published: parcel 31 released"
    await save_history(handles["done"], "takeover_published_parcel")

    _kill(process)  # in the middle of three runs, as a crash or a deploy would
    await process.wait()

    async with (
        _ours(temporal_client) as client,
        _worker(client, tool_queue),
        _worker(client, model_queue),
    ):
        results = {name: await handles[name].result() for name in ("tool-1", "tool-2", "model")}
    assert results == {
        "tool-1": "ours: parcel 11 released",
        "tool-2": "ours: parcel 12 released",
        "model": "ours: parcel 21 released",
    }
    for name in ("tool-1", "tool-2", "model"):
        events = await _events(handles[name])
        assert _scheduled(events) == [MODEL_ACTIVITY, TOOL, MODEL_ACTIVITY]
        # A run the published client started keeps the published name without a marker.
        assert _patches(events) == []


async def test_a_history_the_published_integration_wrote_replays_on_ours() -> None:
    history = load_history("takeover_published_parcel")
    # It is theirs: started by the published client, its model calls under the shared name.
    first = history.events[0].workflow_execution_started_event_attributes
    assert PUBLISHED_HEADER in first.header.fields
    assert _scheduled(list(history.events)) == [MODEL_ACTIVITY, TOOL, MODEL_ACTIVITY]
    await replay(history, [ParcelAgent])


async def test_new_runs_on_ours_schedule_the_published_name(
    temporal_client: Client, task_queue: str
) -> None:
    async with _ours(temporal_client) as client, _worker(client, task_queue):
        handle = await client.start_workflow(
            ParcelAgent.run,
            "Release parcel 41",
            id=f"takeover-ours-{uuid.uuid4()}",  # noqa: TID251 - test ids
            task_queue=task_queue,
        )
        assert await handle.result() == "ours: parcel 41 released"
    events = await _events(handle)
    assert _scheduled(events) == [MODEL_ACTIVITY, TOOL, MODEL_ACTIVITY]
    # The marker tells a later replay that this run chose the published name.
    assert len(_patches(events)) == 1 and OUR_PATCH in _patches(events)[0]
    await save_history(handle, "takeover_ours_parcel")


@pytest.mark.parametrize("name", ["takeover_ours_parcel", "spec_activity_tool"])
async def test_runs_of_ours_replay_with_the_name_they_began_with(name: str) -> None:
    history = load_history(name)
    expected = MODEL_ACTIVITY if name.startswith("takeover") else "agents_temporal.invoke_model"
    assert expected in _scheduled(list(history.events))
    await replay(history, [ParcelAgent] if name.startswith("takeover") else WORKFLOWS)


def test_a_model_call_input_of_neither_form_fails_the_call_for_good() -> None:
    theirs: dict[str, Any] = {
        "input": "hi",
        "model_settings": {},
        "tracing": 0,
        "tools": [{"editor": "x"}],
    }
    with pytest.raises(ApplicationError) as refused:
        read_call_input(theirs)
    assert (refused.value.type, refused.value.non_retryable) == ("UnreadableModelCallInput", True)
    assert "a tool with fields ['editor']" in refused.value.message
    readable = read_call_input({**theirs, "tools": [], "model_name": "gpt-test"})
    assert (readable.model_name, readable.input, readable.tools) == ("gpt-test", "hi", [])
