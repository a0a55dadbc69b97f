"""Which of the dev server's dynamic-config keys matter, measured side by side.

Starts one local Temporal dev server per configuration, all at once, and measures on each:

- activity: milliseconds per sequential no-op activity (one workflow, 40 in a row): the cost of
  one durable step, which every model call pays;
- timer: milliseconds per sequential 10 ms ``workflow.sleep`` (40 in a row): how late timers fire
  (approval expiry, retry back-off);
- burst: no-op activities per second with 20 workflows running 10 each at once.

Configurations: the server's defaults, then the keys of
``agents_temporal.testing.DEV_SERVER_DYNAMIC_CONFIG`` added one group at a time, so each row shows
what its key adds. Rounds take turns over the servers so that load from anything else on the
machine falls on all of them alike; each figure is the median over the rounds, and the ratio
column compares it with the defaults in the same run.

Usage: ``uv run python bench/server_tuning.py [--rounds 3] [--json FILE]``
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from temporalio import activity, workflow
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from agents_temporal.testing import dev_server_config_args, temporal_cli_path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dev_servers import UPDATES

TRANSFER = {"history.transferProcessorMaxPollRPS": "1000"}
TIMER = {"history.timerProcessorMaxPollRPS": "1000"}
VISIBILITY = {"history.visibilityProcessorMaxPollRPS": "1000"}
SHIFT = {"history.timerProcessorMaxTimeShift": '"10ms"'}

CONFIGS: dict[str, dict[str, str]] = {
    "defaults": UPDATES,
    "+ transfer 1000": UPDATES | TRANSFER,
    "+ timer 1000": UPDATES | TRANSFER | TIMER,
    "+ visibility 1000": UPDATES | TRANSFER | TIMER | VISIBILITY,
    "+ timer shift 10ms (ours)": UPDATES | TRANSFER | TIMER | VISIBILITY | SHIFT,
}
SEQUENTIAL = 40
BURST_WORKFLOWS, BURST_ACTIVITIES = 20, 10
_IDS = itertools.count()


@activity.defn
async def noop() -> None:
    return None


@workflow.defn
class Activities:
    @workflow.run
    async def run(self, count: int) -> None:
        for _ in range(count):
            await workflow.execute_activity(noop, start_to_close_timeout=timedelta(seconds=30))


@workflow.defn
class Timers:
    @workflow.run
    async def run(self, count: int) -> None:
        for _ in range(count):
            await workflow.sleep(0.01)


async def one_round(env: WorkflowEnvironment) -> dict[str, float]:
    client = env.client
    queue = f"tuning-{next(_IDS)}"
    figures: dict[str, float] = {}
    async with Worker(
        client,
        task_queue=queue,
        workflows=[Activities, Timers],
        activities=[noop],
        workflow_runner=UnsandboxedWorkflowRunner(),
        max_concurrent_workflow_tasks=20,
    ):

        async def run(kind: type[Activities | Timers], count: int) -> None:
            await client.execute_workflow(
                kind.__name__, count, id=f"tuning-{next(_IDS)}", task_queue=queue
            )

        await run(Activities, 2)  # warm the worker's caches and pollers
        for name, kind in (("activity", Activities), ("timer", Timers)):
            started = time.monotonic()
            await run(kind, SEQUENTIAL)
            figures[name] = (time.monotonic() - started) / SEQUENTIAL * 1000
        started = time.monotonic()
        await asyncio.gather(*(run(Activities, BURST_ACTIVITIES) for _ in range(BURST_WORKFLOWS)))
        figures["burst"] = BURST_WORKFLOWS * BURST_ACTIVITIES / (time.monotonic() - started)
    return figures


async def main(rounds: int) -> dict[str, dict[str, float]]:
    servers = {
        name: await WorkflowEnvironment.start_local(
            dev_server_existing_path=temporal_cli_path(),
            dev_server_log_level="error",
            dev_server_extra_args=dev_server_config_args(config),
        )
        for name, config in CONFIGS.items()
    }
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in servers}
    try:
        for number in range(rounds):
            for name, env in servers.items():
                samples[name].append(await one_round(env))
            print(f"round {number + 1}/{rounds} done", flush=True)
    finally:
        await asyncio.gather(*(env.shutdown() for env in servers.values()))

    medians = {
        name: {key: statistics.median(s[key] for s in runs) for key in runs[0]}
        for name, runs in samples.items()
    }
    base = medians["defaults"]
    print(f"\n{'configuration':28} {'activity ms':>15} {'timer ms':>14} {'burst/s':>13}")
    for name, f in medians.items():
        print(
            f"{name:28} {f['activity']:7.1f} ({f['activity'] / base['activity']:.2f}x)"
            f" {f['timer']:6.0f} ({f['timer'] / base['timer']:.2f}x)"
            f" {f['burst']:5.0f} ({f['burst'] / base['burst']:.2f}x)"
        )
    return medians


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    arguments = parser.parse_args()
    medians = asyncio.run(main(arguments.rounds))
    if arguments.json:
        report = {"rounds": arguments.rounds, "medians": medians}
        arguments.json.write_text(json.dumps(report, indent=2) + "\n")
