"""The worker process sets its garbage collector once warmed up; other hosts keep their own."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
import textwrap
from collections.abc import Collection
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import WorkerConfig

import agent_worker._run as run_module
import agents_temporal._plugin as plugin_module
from agent_stack.settings import Settings
from agent_worker._heap import GC_THRESHOLDS
from tests.test_worker_run import APP, hello_settings, settings_for


def test_settle_heap_collects_garbage_then_freezes_the_rest() -> None:
    # In a process of its own: freezing is for the whole process, pytest's included.
    probe = textwrap.dedent(
        """
        import gc, weakref
        from agent_worker._heap import GC_THRESHOLDS, settle_heap

        class Node:
            pass

        kept, lost = Node(), Node()
        lost.self = lost  # a cycle: only the collector frees it
        lost_ref = weakref.ref(lost)
        del lost
        settle_heap()
        assert lost_ref() is None, "garbage was frozen instead of collected"
        assert not any(o is kept for o in gc.get_objects()), "what is left is not frozen"
        assert gc.get_freeze_count() > 1_000, gc.get_freeze_count()
        assert gc.get_threshold() == GC_THRESHOLDS, gc.get_threshold()
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == "ok", done.stderr
    assert GC_THRESHOLDS[0] > 700  # CPython's default for the youngest generation


async def test_a_worker_process_settles_its_heap_after_the_warm_up_before_any_task(
    temporal_env: WorkflowEnvironment, task_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps: list[str] = []
    warm_up = plugin_module.warm_up_worker

    def warming_up(config: WorkerConfig, not_tools: Collection[Any] = ()) -> None:
        warm_up(config, not_tools)
        steps.append("warm-up")

    monkeypatch.setattr(plugin_module, "warm_up_worker", warming_up)
    monkeypatch.setattr(run_module, "settle_heap", lambda: steps.append("settle"))
    address = temporal_env.client.service_client.config.target_host
    stop, ready = asyncio.Event(), asyncio.Event()
    for own_process in (False, True):
        stop.clear()
        ready.clear()
        running = asyncio.create_task(
            run_module.run_worker(
                settings_for(address, task_queue),
                [APP],
                app_settings={"hello": hello_settings()},
                stop=stop,
                ready_event=ready,
                out=io.StringIO(),
                own_process=own_process,
            )
        )
        await asyncio.wait_for(ready.wait(), timeout=60)
        stop.set()
        await asyncio.wait_for(running, timeout=30)
    # A host that runs the worker among other work keeps its collector as it is.
    assert steps == ["warm-up", "warm-up", "settle"]


def test_the_worker_command_runs_the_worker_as_its_own_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given: dict[str, Any] = {}

    async def fake_run_worker(*args: Any, **kwargs: Any) -> None:
        given.update(kwargs)

    monkeypatch.setattr(run_module, "run_worker", fake_run_worker)
    settings: Settings = settings_for("localhost:7233", "queue")
    assert run_module.serve_worker(settings, [APP], app_settings={}) == 0
    assert given["own_process"] is True
