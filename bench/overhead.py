"""Per-model-call overhead of running agents in Temporal, against the floor and plain Runner.run.

Runs, in one process against a local Temporal server tuned as every server we start is
(``agents_temporal.testing.DEV_SERVER_DYNAMIC_CONFIG``), conversations of ten model calls with a
zero-latency model (nine tool calls, then an answer):

- plain: ``Runner.run`` without Temporal;
- floor: a workflow doing ten no-op activities (the cheapest possible durable step);
- sdk loop: the Agents SDK's own ``AgentRunner`` in a workflow, each model call the no-op
  activity, none of the plugin's code (what the SDK's loop costs in a workflow);
- activity / local: our plugin, each model call an activity / a local activity;
- the same two in a workflow that opts out of Temporal's sandbox (``sandboxed=False``);
- on a second, untuned server started beside it (the dev server's defaults, as its users run
  it): the floor and the plugin's activity mode, so that the table shows what the server's
  tuning gives (untuned floor against tuned floor) apart from what the plugin costs (plugin
  against the floor on the same server).

Modes take turns round by round (each round runs every mode once), so that load from anything
else on the machine falls on all of them alike; each figure is the median over the rounds. The
last two columns are CPU time per model call, means over the rounds: this process's (worker and
client) and the Temporal dev server's. Where the machine has a core to spare they run in
parallel, so a ratio of latencies can sit well below the ratio of CPU; on a loaded machine it
moves toward it (docs/PERFORMANCE.md). ``bench/call_timeline.py`` splits one call's time up.
Each group ends with the least possible: the floor plus plain ``Runner.run``, latency and CPU,
what any integration that runs the Agents SDK's loop as it is, an activity per model call,
costs before any code of its own.

Usage: ``uv run python bench/overhead.py [--conversations 1 20] [--rounds 5] [--json FILE]
[--no-untuned]``
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import json
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agents import RunConfig, Runner, set_tracing_disabled
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

sys.path.insert(0, str(Path(__file__).parent))

from bench_agent_workflow import AgentConversation
from bench_floor_workflow import FloorConversation
from bench_sdk_loop_workflow import SdkLoopConversation
from bench_workflows import (
    CALLS_PER_CONVERSATION,
    PASSTHROUGH,
    UnsandboxedAgentConversation,
    conversation_agent,
    noop,
    scripted_response,
)
from compare_measure import dev_server_pid, process_cpu_seconds
from dev_servers import start_untuned_server

from agents_temporal import ModelActivityParameters, OpenAIAgentsPlugin
from agents_temporal.testing import (
    TestModel,
    TestModelProvider,
    start_local_server,
)

LABELS = {
    "plain": "plain Runner.run",
    "floor": "floor (no-op activities)",
    "sdk": "SDK loop + no-op activities",
    "activity": "plugin, activities",
    "local": "plugin, local activities",
    "activity-unsandboxed": "plugin, activities, no sandbox",
    "local-unsandboxed": "plugin, local, no sandbox",
    "floor-untuned": "floor, untuned server",
    "activity-untuned": "plugin, activities, untuned server",
}
WORKFLOWS: dict[str, Any] = {
    "floor": FloorConversation.run,
    "sdk": SdkLoopConversation.run,
    "activity": AgentConversation.run,
    "local": AgentConversation.run,
    "activity-unsandboxed": UnsandboxedAgentConversation.run,
    "local-unsandboxed": UnsandboxedAgentConversation.run,
}
# Untimed conversations run on the untuned server before each of its measured rounds. Its
# throttle is a token bucket that refills while the other modes take their turns; without these
# each round would start on a full bucket and measure an idle server's burst rather than the
# dispatch rate a server under steady load gives (two floor conversations spend the burst).
UNTUNED_BURST_SPENDERS = 2
UNTUNED_WORKFLOWS: dict[str, Any] = {
    "floor-untuned": FloorConversation.run,
    "activity-untuned": AgentConversation.run,
}


def use_bytecode_caches() -> None:
    """Let imports write and read bytecode caches (in a temporary directory) for this run.

    The sandbox imports a workflow's module afresh for every new workflow. The worker image
    compiles bytecode when it is built (``UV_COMPILE_BYTECODE=1``), so a deployed worker reads
    it; on a machine with ``PYTHONDONTWRITEBYTECODE=1`` and no caches, every new workflow would
    compile its workflow module from source, a cost of this machine, not of any mode.
    """
    if not sys.dont_write_bytecode:
        return
    prefix = tempfile.mkdtemp(prefix="bench-pycache-")
    atexit.register(shutil.rmtree, prefix, True)
    sys.pycache_prefix = prefix
    sys.dont_write_bytecode = False


def zero_latency_model() -> TestModel:
    return TestModel(lambda request: scripted_response(len(request.tool_outputs())))


@dataclass
class Row:
    mode: str
    conversations: int
    latency_ms: float
    calls_per_s: float
    cpu_ms: float
    """This process's CPU time (worker and client) per model call, mean over the rounds."""
    server_cpu_ms: float | None
    """The Temporal dev server's CPU time per model call (none for plain ``Runner.run``)."""


async def timed(one: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await one()
    return time.perf_counter() - start


Conversation = Callable[[], Awaitable[object]]


@dataclass
class Samples:
    latencies: list[float] = field(default_factory=list[float])
    throughputs: list[float] = field(default_factory=list[float])
    cpu: list[float] = field(default_factory=list[float])
    server_cpu: list[float] = field(default_factory=list[float])


@dataclass
class Mode:
    """One row's conversation, and the pid of the server it runs on (None: no server)."""

    one: Conversation
    server_pid: int | None


async def measure_round(conversations: int, mode: Mode, into: Samples) -> None:
    calls = conversations * CALLS_PER_CONVERSATION
    server_cpu = process_cpu_seconds(mode.server_pid) if mode.server_pid else 0.0
    cpu, start = time.process_time(), time.perf_counter()
    durations = await asyncio.gather(*(timed(mode.one) for _ in range(conversations)))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    into.latencies.append(statistics.mean(durations) / CALLS_PER_CONVERSATION * 1000)
    into.throughputs.append(calls / wall)
    into.cpu.append(cpu / calls * 1000)
    if mode.server_pid:
        server_cpu = process_cpu_seconds(mode.server_pid) - server_cpu
        into.server_cpu.append(server_cpu / calls * 1000)


def plain_conversation() -> Conversation:
    config = RunConfig(model_provider=TestModelProvider(zero_latency_model()))

    async def one() -> object:
        return await Runner.run(
            conversation_agent(), "go", run_config=config, max_turns=CALLS_PER_CONVERSATION + 1
        )

    return one


def plugin_client(base: Client, local: bool) -> Client:
    plugin = OpenAIAgentsPlugin(
        model_params=ModelActivityParameters(use_local_activity=local),
        model_provider=TestModelProvider(zero_latency_model()),
    )
    config = base.config()
    config["plugins"] = [plugin]
    return Client(**config)


def temporal_conversation(client: Client, task_queue: str, workflow: Any) -> Conversation:
    async def one() -> object:
        return await client.execute_workflow(
            workflow,
            "go",
            id=f"{task_queue}-{uuid.uuid4().hex}",  # noqa: TID251 - not workflow code
            task_queue=task_queue,
        )

    return one


BENCH_RESTRICTIONS = SandboxRestrictions.default.with_passthrough_modules(PASSTHROUGH)
"""The sandbox's defaults, sharing ``bench_workflows`` as an app's library is shared."""


def bench_worker(client: Client, task_queue: str, **options: Any) -> Worker:
    """Every bench workflow and the no-op activity; ``options`` go to ``Worker`` as they are."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[
            AgentConversation,
            UnsandboxedAgentConversation,
            FloorConversation,
            SdkLoopConversation,
        ],
        activities=[noop],
        workflow_runner=SandboxedWorkflowRunner(restrictions=BENCH_RESTRICTIONS),
        max_concurrent_workflow_tasks=100,
        max_concurrent_activities=100,
        **options,
    )


async def measure_all(
    base: Client, untuned: Client | None, conversation_counts: list[int], rounds: int
) -> list[Row]:
    """Every mode at every concurrency, on workers of both servers.

    ``base`` is the tuned server's client; ``untuned``, when given, the untuned server's.
    """
    suffix = uuid.uuid4().hex[:8]  # noqa: TID251 - not workflow code
    activity_client, local_client = plugin_client(base, False), plugin_client(base, True)
    queues = {
        "activities": f"bench-act-{suffix}",
        "local": f"bench-local-{suffix}",
        "untuned": f"bench-untuned-{suffix}",
    }
    tuned_pid = server_pid(base)
    modes: dict[str, Mode] = {"plain": Mode(plain_conversation(), None)}
    for mode, workflow in WORKFLOWS.items():
        local = mode.startswith("local")
        client = local_client if local else activity_client
        queue = queues["local" if local else "activities"]
        modes[mode] = Mode(temporal_conversation(client, queue, workflow), tuned_pid)
    async with AsyncExitStack() as workers:
        await workers.enter_async_context(bench_worker(activity_client, queues["activities"]))
        await workers.enter_async_context(bench_worker(local_client, queues["local"]))
        if untuned is not None:
            untuned_client = plugin_client(untuned, False)
            await workers.enter_async_context(bench_worker(untuned_client, queues["untuned"]))
            for mode, workflow in UNTUNED_WORKFLOWS.items():
                one = temporal_conversation(untuned_client, queues["untuned"], workflow)
                modes[mode] = Mode(one, server_pid(untuned))
        return await measure_modes(modes, conversation_counts, rounds)


def server_pid(client: Client) -> int | None:
    """The pid of the dev server ``client`` talks to, if this process started it."""
    return dev_server_pid(client.service_client.config.target_host)


async def measure_modes(
    modes: dict[str, Mode], conversation_counts: list[int], rounds: int
) -> list[Row]:
    """Each mode at each concurrency, the modes taking turns within each round."""
    rows: list[Row] = []
    for mode in modes.values():
        await mode.one()  # warm up caches, sandbox imports and task queue pollers
    for conversations in conversation_counts:
        samples = {mode: Samples() for mode in modes}
        for n in range(rounds):
            for name, mode in modes.items():
                if name in UNTUNED_WORKFLOWS:
                    for _ in range(UNTUNED_BURST_SPENDERS):
                        await mode.one()
                await measure_round(conversations, mode, samples[name])
            print(f"  {conversations} conversations: round {n + 1}/{rounds}", file=sys.stderr)
        rows.extend(
            Row(
                LABELS[mode],
                conversations,
                statistics.median(s.latencies),
                statistics.median(s.throughputs),
                statistics.mean(s.cpu),
                statistics.mean(s.server_cpu) if s.server_cpu else None,
            )
            for mode, s in samples.items()
        )
    return rows


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'mode':<36}{'conv':>6}{'ms/call':>10}{'calls/s':>10}{'vs floor':>24}{'vs plain':>12}"
        f"{'CPU ms/call':>13}{'server CPU':>12}"
    )
    print("\n" + header)
    for conv in sorted({r.conversations for r in rows}):
        group = {r.mode: r for r in rows if r.conversations == conv}
        floor = group[LABELS["floor"]]
        plain_row = group[LABELS["plain"]]
        for row in group.values():
            vs_floor = (
                f"{row.latency_ms / floor.latency_ms:.2f}x lat, "
                f"{row.calls_per_s / floor.calls_per_s:.0%} thr"
            )
            vs_plain = f"{row.latency_ms / plain_row.latency_ms:.1f}x lat"
            server = "" if row.server_cpu_ms is None else f"{row.server_cpu_ms:.2f}"
            print(
                f"{row.mode:<36}{conv:>6}{row.latency_ms:>10.2f}{row.calls_per_s:>10.1f}"
                f"{vs_floor:>24}{vs_plain:>12}{row.cpu_ms:>13.2f}{server:>12}"
            )
        # The least any integration can reach that runs the Agents SDK's loop as it is with an
        # activity per model call: the floor's round trip plus the SDK's own turn.
        least = floor.latency_ms + plain_row.latency_ms
        least_cpu = floor.cpu_ms + plain_row.cpu_ms
        print(
            f"{'least possible: floor + plain':<36}{conv:>6}{least:>10.2f}{'':>10}"
            f"{f'{least / floor.latency_ms:.2f}x lat':>24}{'':>12}{least_cpu:>13.2f}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--conversations", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--no-untuned", action="store_true", help="skip the untuned server's rows")
    args = parser.parse_args()
    set_tracing_disabled(True)
    use_bytecode_caches()
    env = await start_local_server()
    untuned = None
    try:
        untuned = None if args.no_untuned else await start_untuned_server()
        rows = await measure_all(
            env.client, untuned and untuned.client, args.conversations, args.rounds
        )
    finally:
        await env.shutdown()
        if untuned is not None:
            await untuned.shutdown()
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2))


if __name__ == "__main__":
    asyncio.run(main())
