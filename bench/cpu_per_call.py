"""The worker's CPU time per model call, mode by mode, against the floor in the same run.

Runs conversations of ten model calls (the workloads of ``bench/overhead.py``) on one worker in
this process and reports this process's CPU time (worker and client; the Temporal server is
another process) divided by the model calls made. Read the ratios against the floor (no-op
activities): on a loaded machine every figure grows, their ratios much less.

Usage: ``uv run python bench/cpu_per_call.py [--conversations 20] [--rounds 3]
[--modes floor sdk activity activity-unsandboxed]``
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import time
from pathlib import Path

from agents import set_tracing_disabled

sys.path.insert(0, str(Path(__file__).parent))

import overhead
from bench_workflows import CALLS_PER_CONVERSATION

from agents_temporal.testing import start_local_server

_QUEUES = itertools.count()


async def cpu_per_call(modes: list[str], conversations: int, rounds: int) -> dict[str, float]:
    """Milliseconds of this process's CPU time per model call, by mode."""
    set_tracing_disabled(True)
    env = await start_local_server()
    figures: dict[str, float] = {}
    try:
        client = overhead.plugin_client(env.client, False)
        queue = f"cpu-per-call-{next(_QUEUES)}"
        async with overhead.bench_worker(client, queue):
            for mode in modes:
                one = overhead.temporal_conversation(client, queue, overhead.WORKFLOWS[mode])
                await one()  # warm caches, sandbox imports and pollers
                started = time.process_time()
                for _ in range(rounds):
                    await asyncio.gather(*(one() for _ in range(conversations)))
                calls = rounds * conversations * CALLS_PER_CONVERSATION
                figures[mode] = (time.process_time() - started) * 1000 / calls
    finally:
        await env.shutdown()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--modes", nargs="+", default=["floor", "sdk", "activity", "activity-unsandboxed"]
    )
    args = parser.parse_args()
    figures = asyncio.run(cpu_per_call(args.modes, args.conversations, args.rounds))
    floor = figures.get("floor")
    print(f"\n{'mode':32}{'CPU ms/call':>12}{'vs floor':>10}")
    for mode, value in figures.items():
        ratio = f"{value / floor:.2f}x" if floor else "-"
        print(f"{overhead.LABELS[mode]:32}{value:12.2f}{ratio:>10}")


if __name__ == "__main__":
    main()
