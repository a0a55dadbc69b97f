"""Where one model call's time goes at one conversation: history events beside the worker's timing.

Runs conversations one at a time (the workloads of ``bench/overhead.py``: ten model calls with a
zero-latency model) on the tuned local server, and lays each model call out on one timeline:
the server's own timestamps from the workflow's history (workflow task scheduled, started and
completed; activity scheduled, started and completed) and the worker's, taken in this process
around the two places where workflow and activity code run:

- the activation: the worker runs every workflow activation (the workflow's code, in the
  sandbox unless it opts out) as a call on its workflow task executor, which this bench gives
  a thread pool that times each call, wall and thread CPU;
- the activity function: an activity interceptor times each execution.

What a workflow task takes beyond its activation is the worker's transport: the poll's
response reaching Python, decoding the activation, encoding the completion, the core's
bookkeeping and its gRPC call back to the server. Each call's cycle is from one activity's
completion to the next one's, so the first call of each conversation (which also starts the
workflow) is left out. In local-activity mode the workflow has a single workflow task; a call
is from one activation to the next, and ``plain Runner.run`` is measured beside it.

The modes take turns round by round and each figure is the median of every call of every
round; the CPU rows are this process's (worker and client) and the dev server's CPU time over
whole conversations, divided by their calls (means: the server's CPU time comes in 10 ms clock
ticks).

Usage: ``uv run python bench/call_timeline.py [--rounds 5]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents import set_tracing_disabled
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.client import Client
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

sys.path.insert(0, str(Path(__file__).parent))

import overhead
from bench_workflows import CALLS_PER_CONVERSATION
from compare_measure import dev_server_pid, process_cpu_seconds

from agents_temporal.testing import start_local_server

OUTSIDE_STEADY_CALLS = "per conversation: start, first call, result"
"""The client's wall time of a conversation less its steady-state calls."""
MODES = ("floor", "sdk", "activity", "activity-unsandboxed", "local", "local-unsandboxed")


def _now() -> float:
    """Epoch seconds: the worker's times are compared with the server's event times."""
    return time.time()  # noqa: TID251 - not workflow code, and a clock the server shares


@dataclass
class Timed:
    """One timed piece of worker work: when it ran (epoch seconds) and its thread CPU."""

    run_id: str
    start: float
    end: float
    cpu: float = 0.0


@dataclass
class Recorder:
    """What the worker did, by workflow run."""

    activations: dict[str, list[Timed]] = field(default_factory=lambda: defaultdict(list))
    activities: dict[str, list[Timed]] = field(default_factory=lambda: defaultdict(list))


class TimedExecutor(ThreadPoolExecutor):
    """The worker's workflow task executor, timing every activation it runs (not evictions)."""

    def __init__(self, recorder: Recorder, max_workers: int) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="timed_workflow_worker")
        self._recorder = recorder

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        activation = args[0] if args else None
        if not isinstance(activation, WorkflowActivation) or any(
            job.HasField("remove_from_cache") for job in activation.jobs
        ):
            return super().submit(fn, *args, **kwargs)
        into = self._recorder.activations[activation.run_id]

        def timed() -> Any:
            start, cpu = _now(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                end = _now()
                into.append(Timed(activation.run_id, start, end, time.thread_time() - cpu))

        return super().submit(timed)


class _TimedActivity(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, recorder: Recorder) -> None:
        super().__init__(next)
        self._recorder = recorder

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        run_id = activity.info().workflow_run_id or ""
        start = _now()
        try:
            return await super().execute_activity(input)
        finally:
            self._recorder.activities[run_id].append(Timed(run_id, start, _now()))


class ActivityTimer(Interceptor):
    """Times each activity execution, model activity and no-op alike."""

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _TimedActivity(next, self._recorder)


def _times(events: list[HistoryEvent], kind: int) -> list[float]:
    return [e.event_time.seconds + e.event_time.nanos / 1e9 for e in events if e.event_type == kind]


def _ms(seconds: float) -> float:
    return seconds * 1000


def activity_mode_calls(
    events: list[HistoryEvent], activations: list[Timed], activities: list[Timed]
) -> list[dict[str, float]]:
    """Each steady-state call of a workflow whose model calls are activities, split up."""
    wt_started = _times(events, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)
    wt_completed = _times(events, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    act_started = _times(events, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
    act_completed = _times(events, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
    activations = sorted(activations, key=lambda t: t.start)
    activities = sorted(activities, key=lambda t: t.start)
    if not (len(wt_started) == len(activations) == len(act_completed) + 1 == len(activities) + 1):
        raise RuntimeError("one workflow task and one activation per activity expected")
    calls: list[dict[str, float]] = []
    for k in range(1, len(act_completed)):
        run = activations[k]
        wt = wt_completed[k] - wt_started[k]
        act = act_completed[k] - act_started[k]
        calls.append(
            {
                "call": _ms(act_completed[k] - act_completed[k - 1]),
                "server: dispatch the workflow task": _ms(wt_started[k] - act_completed[k - 1]),
                "workflow task (server's started to completed)": _ms(wt),
                "  activation: workflow code (wall)": _ms(run.end - run.start),
                "  activation: workflow code (thread CPU)": _ms(run.cpu),
                "  the rest: poll response, core, decode, encode": _ms(wt - (run.end - run.start)),
                "server: dispatch the activity": _ms(act_started[k] - wt_completed[k]),
                "activity task (server's started to completed)": _ms(act),
                "  activity function": _ms(activities[k].end - activities[k].start),
                "  the rest: poll, decode, encode, completion": _ms(
                    act - (activities[k].end - activities[k].start)
                ),
            }
        )
    return calls


def local_mode_calls(activations: list[Timed], activities: list[Timed]) -> list[dict[str, float]]:
    """Each steady-state call of a workflow whose model calls are local activities."""
    activations = sorted(activations, key=lambda t: t.start)
    activities = sorted(activities, key=lambda t: t.start)
    calls: list[dict[str, float]] = []
    for k in range(1, len(activities)):
        run, function = activations[k], activities[k]
        cycle = activations[k + 1].start - run.start
        calls.append(
            {
                "call": _ms(cycle),
                "  activation: workflow code (wall)": _ms(run.end - run.start),
                "  activation: workflow code (thread CPU)": _ms(run.cpu),
                "  activity function": _ms(function.end - function.start),
                "  the rest: core, decode, encode, markers": _ms(
                    cycle - (run.end - run.start) - (function.end - function.start)
                ),
            }
        )
    return calls


@dataclass
class ModeSamples:
    """Every steady-state call of one mode, and its per-conversation figures."""

    calls: list[dict[str, float]] = field(default_factory=list[dict[str, float]])
    per_conversation: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


async def one_conversation(
    client: Client,
    task_queue: str,
    mode: str,
    recorder: Recorder,
    server_pid: int | None,
    into: ModeSamples,
) -> None:
    server_cpu = process_cpu_seconds(server_pid) if server_pid else 0.0
    cpu, start = time.process_time(), time.perf_counter()
    handle = await client.start_workflow(
        overhead.WORKFLOWS[mode],
        "go",
        id=f"timeline-{mode}-{uuid.uuid4().hex}",  # noqa: TID251 - not workflow code
        task_queue=task_queue,
    )
    await handle.result()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    per_call = 1000 / CALLS_PER_CONVERSATION
    into.per_conversation["latency per call (client's wall)"].append(wall * per_call)
    into.per_conversation["CPU per call: this process"].append(cpu * per_call)
    if server_pid:
        server_cpu = process_cpu_seconds(server_pid) - server_cpu
        into.per_conversation["CPU per call: the dev server"].append(server_cpu * per_call)
    run_id = handle.result_run_id or ""
    events = list((await handle.fetch_history()).events)
    completed = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
    tasks = sum(1 for e in events if e.event_type == completed)
    into.per_conversation["workflow tasks per conversation"].append(tasks)
    into.per_conversation["history events per conversation"].append(len(events))
    activations = recorder.activations.pop(run_id, [])
    activities = recorder.activities.pop(run_id, [])
    if mode.startswith("local"):
        calls = local_mode_calls(activations, activities)
    else:
        calls = activity_mode_calls(events, activations, activities)
    into.calls += calls
    rest = wall * 1000 - sum(call["call"] for call in calls)
    into.per_conversation[OUTSIDE_STEADY_CALLS].append(rest)


async def plain_call(into: ModeSamples) -> None:
    one = overhead.plain_conversation()
    cpu, start = time.process_time(), time.perf_counter()
    await one()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    per_call = 1000 / CALLS_PER_CONVERSATION
    into.per_conversation["latency per call (client's wall)"].append(wall * per_call)
    into.per_conversation["CPU per call: this process"].append(cpu * per_call)


def print_table(samples: dict[str, ModeSamples]) -> None:
    modes = list(samples)
    rows: list[str] = []
    for s in samples.values():
        for name in [*s.per_conversation, *(s.calls[0] if s.calls else {})]:
            if name not in rows:
                rows.append(name)
    width = max(len(r) for r in rows) + 2
    print("\n" + "ms (median)".ljust(width) + "".join(f"{m:>22}" for m in modes))
    for row in rows:
        cells: list[str] = []
        for mode in modes:
            s = samples[mode]
            values = s.per_conversation.get(row) or [c[row] for c in s.calls if row in c]
            if not values:
                cells.append(f"{'':>22}")
                continue
            # CPU times come from clock ticks (10 ms for the server's): averaged, not medians.
            value = statistics.mean(values) if row.startswith("CPU") else statistics.median(values)
            cells.append(f"{value:>22.2f}")
        print(row.ljust(width) + "".join(cells))


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    parser.add_argument(
        "--server-config",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help="more dynamic config for the server, beside the tuning every server we start has",
    )
    args = parser.parse_args()
    set_tracing_disabled(True)
    overhead.use_bytecode_caches()
    recorder = Recorder()
    extra = [arg for value in args.server_config for arg in ("--dynamic-config-value", value)]
    env = await start_local_server(extra_args=extra)
    try:
        server_pid = dev_server_pid(env.client.service_client.config.target_host)
        suffix = uuid.uuid4().hex[:8]  # noqa: TID251 - not workflow code
        clients = {local: overhead.plugin_client(env.client, local) for local in (False, True)}
        queues = {local: f"timeline-{local}-{suffix}" for local in (False, True)}
        workers = [
            overhead.bench_worker(
                clients[local],
                queues[local],
                workflow_task_executor=TimedExecutor(recorder, 100),
                interceptors=[ActivityTimer(recorder)],
            )
            for local in (False, True)
        ]
        samples = {mode: ModeSamples() for mode in ("plain", *args.modes)}
        async with workers[0], workers[1]:
            for round_ in range(args.rounds + 1):
                for mode in samples:
                    # The first round warms caches, sandbox imports and pollers: not counted.
                    into = samples[mode] if round_ else ModeSamples()
                    if mode == "plain":
                        await plain_call(into)
                        continue
                    local = mode.startswith("local")
                    await one_conversation(
                        clients[local], queues[local], mode, recorder, server_pid, into
                    )
                print(f"  round {round_}/{args.rounds}", file=sys.stderr)
    finally:
        await env.shutdown()
    print(f"\nload average {os.getloadavg()[0]:.1f}; {args.rounds} conversations per mode")
    print_table(samples)


if __name__ == "__main__":
    asyncio.run(main())
