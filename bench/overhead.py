"""Per-model-call overhead of running agents in Temporal, against the floor and plain Runner.run.

Runs, in one process against one local Temporal server, conversations of ten model calls with a
zero-latency model (nine tool calls, then an answer):

- plain: ``Runner.run`` without Temporal;
- activity: our plugin, each model call an activity;
- local: our plugin with ``use_local_activity=True``;
- floor: a workflow doing ten no-op activities (the cheapest possible durable step).

Usage: ``uv run python bench/overhead.py [--conversations 1 20] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from agents import ModelResponse, RunConfig, Runner, set_tracing_disabled
from temporalio.client import Client
from temporalio.worker import Worker

sys.path.insert(0, str(Path(__file__).parent))

from bench_workflows import (
    CALLS_PER_CONVERSATION,
    AgentConversation,
    FloorConversation,
    conversation_agent,
    noop,
)

from agents_temporal import ModelActivityParameters, OpenAIAgentsPlugin
from agents_temporal.testing import (
    ModelRequest,
    ResponseBuilders,
    TestModel,
    TestModelProvider,
    start_local_server,
)

LABELS = {
    "plain": "plain Runner.run",
    "floor": "floor (no-op activities)",
    "activity": "plugin, activities",
    "local": "plugin, local activities",
}


def zero_latency_model() -> TestModel:
    def respond(request: ModelRequest) -> ModelResponse:
        done = len(request.tool_outputs())
        if done < CALLS_PER_CONVERSATION - 1:
            return ResponseBuilders.tool_call(json.dumps({"step": done + 1}), "next_step")
        return ResponseBuilders.output_message("finished")

    return TestModel(respond)


@dataclass
class Row:
    mode: str
    conversations: int
    latency_ms: float
    calls_per_s: float


async def timed(one: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await one()
    return time.perf_counter() - start


async def measure(
    mode: str, conversations: int, rounds: int, one: Callable[[], Awaitable[object]]
) -> Row:
    await one()  # warm up caches, sandbox imports and task queue pollers
    latencies: list[float] = []
    throughputs: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        durations = await asyncio.gather(*(timed(one) for _ in range(conversations)))
        wall = time.perf_counter() - start
        latencies.append(statistics.mean(durations) / CALLS_PER_CONVERSATION * 1000)
        throughputs.append(conversations * CALLS_PER_CONVERSATION / wall)
    return Row(mode, conversations, statistics.median(latencies), statistics.median(throughputs))


async def plain(conversations: int, rounds: int) -> Row:
    config = RunConfig(model_provider=TestModelProvider(zero_latency_model()))

    async def one() -> object:
        return await Runner.run(
            conversation_agent(), "go", run_config=config, max_turns=CALLS_PER_CONVERSATION + 1
        )

    return await measure(LABELS["plain"], conversations, rounds, one)


async def temporal_mode(base: Client, mode: str, conversations: int, rounds: int) -> Row:
    task_queue = f"bench-{mode}-{uuid.uuid4().hex[:8]}"  # noqa: TID251 - not workflow code
    plugin = OpenAIAgentsPlugin(
        model_params=ModelActivityParameters(use_local_activity=mode == "local"),
        model_provider=TestModelProvider(zero_latency_model()),
    )
    config = base.config()
    config["plugins"] = [plugin]
    client = Client(**config)
    workflow = FloorConversation.run if mode == "floor" else AgentConversation.run

    async def one() -> object:
        return await client.execute_workflow(
            workflow,
            "go",
            id=f"{task_queue}-{uuid.uuid4().hex}",  # noqa: TID251 - not workflow code
            task_queue=task_queue,
        )

    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[AgentConversation, FloorConversation],
        activities=[noop],
        max_concurrent_workflow_tasks=100,
        max_concurrent_activities=100,
    ):
        return await measure(LABELS[mode], conversations, rounds, one)


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'mode':<28}{'conv':>6}{'ms/call':>10}{'calls/s':>10}{'vs floor':>24}{'vs plain':>12}"
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
            print(
                f"{row.mode:<28}{conv:>6}{row.latency_ms:>10.2f}{row.calls_per_s:>10.1f}"
                f"{vs_floor:>24}{vs_plain:>12}"
            )


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--conversations", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    set_tracing_disabled(True)
    env = await start_local_server()
    rows: list[Row] = []
    try:
        for conversations in args.conversations:
            rows.append(await plain(conversations, args.rounds))
            for mode in ("floor", "activity", "local"):
                rows.append(await temporal_mode(env.client, mode, conversations, args.rounds))
                print(f"  measured {rows[-1].mode} x{conversations}", file=sys.stderr)
    finally:
        await env.shutdown()
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2))


if __name__ == "__main__":
    asyncio.run(main())
