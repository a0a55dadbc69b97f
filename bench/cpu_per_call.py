"""The worker's CPU time per model call, mode by mode, against the floor in the same run.

Runs conversations of ten model calls (the workloads of ``bench/overhead.py``) on one worker in
this process and reports this process's CPU time (worker and client; the Temporal server is
another process) divided by the model calls made. Read the ratios against the floor (no-op
activities): on a loaded machine every figure grows, their ratios much less.

The modes take turns round by round, so load from other work on the machine falls on all of
them alike. ``activity-sdk-runner`` is the plugin's workflow on a worker given Temporal's own
``SandboxedWorkflowRunner`` (a subclass, which the plugin keeps as it is), so that its difference
to ``activity`` is what the plugin's runner saves (``agents_temporal._plugin``).
``activity-sdk-passes`` is the plugin's workflow with the Temporal SDK's own payload passes
put back for its turns (``agents_temporal._payloads.idle_passes``): its difference to
``activity`` is what skipping the passes that have nothing to do saves.
``activity-sdk-builtins`` is the plugin's workflow with the sandbox's own ``isinstance``,
``issubclass`` and importer put back for its turns (``agents_temporal._sandbox_builtins``): its
difference to ``activity`` is what the plain builtins and the importer's shortcut save.
``activity-gc`` is the plugin's workflow with the worker app's garbage collector settings
(``agent_worker._heap``) for its turns. The floor, the SDK's loop and the SDK's runner run
with the SDK's passes and wrappers too: they stand for Temporal without the plugin.
``plain`` is the same conversations through ``Runner.run`` with no Temporal at all: the Agents
SDK's own CPU per model call. With both in the run, the table ends with their sum, the least
any integration that runs the Agents SDK's loop as it is, with an activity per model call, can
cost per call: the floor's round trip plus the SDK's turn, with nothing of the integration's own.

The zero-latency model runs in this process; its responses are built once per step
(``bench_workflows.scripted_response``), so the model costs next to nothing in every mode, as
the floor, which has no model, does. Workflow modules are read from bytecode caches, as in the
worker image (``overhead.use_bytecode_caches``; ``--no-bytecode-caches`` compiles them from
source for every new workflow, as a machine with ``PYTHONDONTWRITEBYTECODE=1`` does).

Usage: ``uv run python bench/cpu_per_call.py [--conversations 20] [--rounds 3]
[--modes plain floor sdk activity activity-sdk-passes activity-sdk-builtins activity-sdk-runner
activity-unsandboxed activity-gc] [--no-bytecode-caches]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import sys
import time
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

from agents import set_tracing_disabled
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

sys.path.insert(0, str(Path(__file__).parent))

import overhead
from bench_agent_workflow import AgentConversation
from bench_workflows import CALLS_PER_CONVERSATION

from agent_worker._heap import GC_THRESHOLDS
from agents_temporal._payloads.idle_passes import sdk_passes
from agents_temporal._sandbox_builtins import sdk_wrappers
from agents_temporal.testing import start_local_server

_DEFAULT_MODES = [
    "plain",
    "floor",
    "sdk",
    "activity",
    "activity-sdk-passes",
    "activity-sdk-builtins",
    "activity-sdk-runner",
    "activity-unsandboxed",
    "activity-gc",
]
_MODES = sorted(_DEFAULT_MODES)
"""Every mode a run may ask for (local activities are `overhead.py`'s: this client has none)."""
_QUEUES = itertools.count()
_SDK_PASS_MODES = {"floor", "sdk", "activity-sdk-passes", "activity-sdk-runner"}
_SDK_WRAPPER_MODES = {"floor", "sdk", "activity-sdk-builtins", "activity-sdk-runner"}
_LABELS = {
    **overhead.LABELS,
    "activity-sdk-runner": "plugin, act., SDK's runner+passes",
    "activity-sdk-passes": "plugin, activities, SDK's passes",
    "activity-sdk-builtins": "plugin, act., SDK's builtins",
    "activity-gc": "plugin, act., worker's GC",
}


@contextlib.contextmanager
def _worker_gc() -> Generator[None]:
    """The worker app's collector settings for one turn, then the process's own again.

    Without `settle_heap`'s collection first: it would give each of these turns a clean heap
    that the other modes' turns do not get. What this freezes is unfrozen after the turn, so
    garbage frozen with it is collected later all the same.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


@dataclass(frozen=True)
class _SdkSandboxedRunner(SandboxedWorkflowRunner):
    """Temporal's sandboxed runner as it comes: the plugin keeps a subclass unchanged."""


async def cpu_per_call(modes: list[str], conversations: int, rounds: int) -> dict[str, float]:
    """Milliseconds of this process's CPU time per model call, by mode."""
    set_tracing_disabled(True)
    env = await start_local_server()
    cpu = dict.fromkeys(modes, 0.0)
    try:
        client = overhead.plugin_client(env.client, False)
        queue = f"cpu-per-call-{next(_QUEUES)}"
        sdk_queue = f"{queue}-sdk-runner"
        sdk_runner_worker = Worker(
            client,
            task_queue=sdk_queue,
            workflows=[AgentConversation],
            workflow_runner=_SdkSandboxedRunner(restrictions=overhead.BENCH_RESTRICTIONS),
            max_concurrent_workflow_tasks=100,
            max_concurrent_activities=100,
        )
        async with overhead.bench_worker(client, queue), sdk_runner_worker:
            runs = {
                mode: overhead.plain_conversation()
                if mode == "plain"
                else overhead.temporal_conversation(
                    client,
                    sdk_queue if mode == "activity-sdk-runner" else queue,
                    AgentConversation.run
                    if mode == "activity-sdk-runner"
                    else overhead.WORKFLOWS[
                        mode.removesuffix("-sdk-passes")
                        .removesuffix("-sdk-builtins")
                        .removesuffix("-gc")
                    ],
                )
                for mode in modes
            }
            for one in runs.values():
                await one()  # warm caches, sandbox imports and pollers
            for _ in range(rounds):
                for mode, one in runs.items():
                    with contextlib.ExitStack() as sdk_parts:
                        if mode in _SDK_PASS_MODES:
                            sdk_parts.enter_context(sdk_passes())
                        if mode in _SDK_WRAPPER_MODES:
                            sdk_parts.enter_context(sdk_wrappers())
                        if mode == "activity-gc":
                            sdk_parts.enter_context(_worker_gc())
                        started = time.process_time()
                        await asyncio.gather(*(one() for _ in range(conversations)))
                        cpu[mode] += time.process_time() - started
    finally:
        await env.shutdown()
    calls = rounds * conversations * CALLS_PER_CONVERSATION
    return {mode: seconds * 1000 / calls for mode, seconds in cpu.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--modes",
        nargs="+",
        default=_DEFAULT_MODES,
        choices=_MODES,
    )
    parser.add_argument("--no-bytecode-caches", action="store_true")
    args = parser.parse_args()
    if not args.no_bytecode_caches:
        overhead.use_bytecode_caches()
    figures = asyncio.run(cpu_per_call(args.modes, args.conversations, args.rounds))
    floor = figures.get("floor")
    print(f"\n{'mode':32}{'CPU ms/call':>12}{'vs floor':>10}")
    for mode, value in figures.items():
        ratio = f"{value / floor:.2f}x" if floor else "-"
        print(f"{_LABELS[mode]:32}{value:12.2f}{ratio:>10}")
    if floor and "plain" in figures:
        bound = floor + figures["plain"]
        print(f"{'least possible: floor + plain':32}{bound:12.2f}{bound / floor:9.2f}x")


if __name__ == "__main__":
    main()
