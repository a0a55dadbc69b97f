"""Side by side: our plugin (agents_temporal) against the published Temporal integration.

Runs the same workloads (``compare_workload``) on both integrations against one local Temporal
server tuned as every server we start is (``agents_temporal.testing.DEV_SERVER_DYNAMIC_CONFIG``),
in one run, and the published integration also as its users run it: on a second, untuned dev
server started beside the first (``bench/dev_servers.py``). The table so separates what the
server's tuning gives (theirs untuned against theirs tuned) from what the plugin gives (ours
against theirs on the same server). Each side's worker is its own subprocess
(``compare_side``): ours from this workspace, theirs from an isolated ``uv`` environment with
``temporalio-openai-agents``, whose ``openai-agents`` pin differs from ours. The clients are in
this process and identical for both sides, and rounds alternate between the sides so that load
from elsewhere on the machine hits both alike. Measured:

- per-model-call latency of one conversation and throughput (model calls/s) with 1, 20 and 100
  concurrent conversations of ten model calls (nine tool calls, then an answer; zero-latency
  model), with the CPU time per model call of the worker and of the Temporal server; both
  plugins in their default configuration, plus ours with payload storage, then both sides in
  local-activity mode, as extra rows; theirs on the untuned server beside ours, as extra rows;
- throughput at 20 concurrent tool-heavy conversations (30 model calls, the tool an activity
  returning 10 KB each call): ours as the worker app ships (payload storage on), theirs, and
  ours with the plugin's defaults, and theirs on the untuned server;
- a conversation of 200 model calls whose tool (an activity) returns 10 KB each call: history
  bytes per model call (and, for ours, bytes in the payload store: our worker runs with
  ``LocalStorageDriver`` payload storage, our documented setup for long conversations); a side
  that hits a Temporal limit is stopped and the call and error recorded;
- peak resident memory (VmHWM) of each side's worker.

Every phase starts fresh worker processes. Prints a table with ratios (ours / theirs), writes
``compare.json`` and draws ``compare.png`` (matplotlib, in an isolated ``uv`` environment: it
is not a workspace dependency). Results and their reading: docs/PERFORMANCE.md.

Usage: ``uv run python bench/compare.py [--quick] [--rounds 3] [--out-dir bench/results]``, or
``--report bench/results/compare.json`` to print the table of saved results.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare_measure import (
    WorkerProcess,
    dev_server_pid,
    long_conversation,
    process_cpu_seconds,
    short_round,
)
from compare_report import print_table, table_rows, targets
from compare_workload import LONG_CALLS, PAGE_BYTES, SHORT_CALLS, TOOL_CALLS
from dev_servers import start_untuned_server

from agents_temporal.testing import start_local_server

BENCH = Path(__file__).resolve().parent
THEIR_REQUIREMENTS = ("temporalio-openai-agents==1.1.0", "openai-agents==0.22.*")
ISOLATED = ("uv", "run", "--isolated", "--no-project")
WARM_UP_CONVERSATIONS = 5
UNTUNED_BURST_SPENDERS = 2
"""Untimed conversations before each round on the untuned server (``short_phase``)."""


def side_command(
    side: str, task_queue: str, address: str, local: bool, store: Path | None
) -> list[str]:
    """The command line of one side's worker process."""
    if side == "ours":
        python = [sys.executable]  # this workspace's interpreter, as `uv run` gave it to us
    else:
        python = [*ISOLATED, *(f"--with={r}" for r in THEIR_REQUIREMENTS), "python"]
    command = [*python, str(BENCH / "compare_side.py"), "--side", side]
    command += ["--address", address, "--task-queue", task_queue]
    if local:
        command.append("--local-activity")
    if store is not None:
        command += ["--storage", str(store)]
    return command


@dataclass(frozen=True)
class Variant:
    """One worker configuration: a side, for ours whether payload storage is on, and the
    server it runs against: ``tuned`` (ours) or ``untuned`` (the dev server's defaults)."""

    key: str
    side: str
    storage: bool = False
    server: str = "tuned"


OURS = Variant("ours", "ours")
THEIRS = Variant("theirs", "theirs")
OURS_STORAGE = Variant("ours_storage", "ours", storage=True)
THEIRS_UNTUNED = Variant("theirs_default", "theirs", server="untuned")
PHASES = {
    # Defaults against defaults, plus ours as configured for long conversations and theirs as
    # its users run it, on an untuned server (extra rows).
    "activity": (OURS, THEIRS, OURS_STORAGE, THEIRS_UNTUNED),
    "local": (OURS, THEIRS, THEIRS_UNTUNED),
    # Conversations that carry real tool output: ours as the worker app ships (payload storage
    # on), theirs, ours with the plugin's defaults and theirs on the untuned server.
    "tools": (OURS_STORAGE, THEIRS, OURS, THEIRS_UNTUNED),
    # Our documented setup for long conversations against theirs (it has no payload storage).
    "long": (OURS_STORAGE, THEIRS),
}


@dataclass(frozen=True)
class Server:
    """One local Temporal server of the run: its client, address and process id."""

    client: Client
    address: str
    pid: int | None


async def started_server(env: WorkflowEnvironment) -> Server:
    address = env.client.service_client.config.target_host
    return Server(env.client, address, dev_server_pid(address))


@asynccontextmanager
async def running(
    servers: dict[str, Server], phase: str, directory: Path
) -> AsyncGenerator[dict[str, WorkerProcess]]:
    """Fresh workers for every variant of ``phase``, all polling; stopped afterwards."""
    env = dict(os.environ, OPENAI_AGENTS_DISABLE_TRACING="1", UV_PYTHON_DOWNLOADS="never")
    workers: dict[str, WorkerProcess] = {}
    for variant in PHASES[phase]:
        suffix = uuid.uuid4().hex[:8]  # noqa: TID251 - not workflow code
        queue = f"compare-{phase}-{variant.key}-{suffix}"
        store = None
        if variant.storage:
            store = directory / f"payloads-{phase}-{variant.key}"
            store.mkdir()
        address = servers[variant.server].address
        command = side_command(variant.side, queue, address, phase == "local", store)
        workers[variant.key] = WorkerProcess(
            queue, command, directory / f"{phase}-{variant.key}.log", store, variant.server
        )
    try:
        await asyncio.gather(*(w.start(env) for w in workers.values()))
        yield workers
    except BaseException:
        for worker in workers.values():
            print(f"--- {worker.log_path.name}\n{worker.tail()}", file=sys.stderr)
        raise
    finally:
        await asyncio.gather(*(w.stop() for w in workers.values()))


async def short_phase(
    servers: dict[str, Server],
    workers: dict[str, WorkerProcess],
    mode: str,
    args: argparse.Namespace,
) -> list[dict[str, Any]]:
    """Latency and throughput at every concurrency, the variants alternating round by round."""
    tool_calls = args.tool_calls if mode == "tools" else None
    calls_each = tool_calls or SHORT_CALLS
    for worker in workers.values():
        await short_round(
            servers[worker.server].client,
            worker.name,
            WARM_UP_CONVERSATIONS,
            WARM_UP_CONVERSATIONS,
            tool_calls,
        )
    keys = list(workers)
    entries: list[dict[str, Any]] = []
    concurrencies = {
        "activity": args.concurrency,
        "local": args.local_concurrency,
        "tools": args.tool_concurrency,
    }[mode]
    for concurrency in concurrencies:
        samples: dict[str, list[dict[str, float]]] = {key: [] for key in keys}
        for round_number in range(args.rounds):
            order = keys if round_number % 2 == 0 else keys[::-1]
            for key in order:
                worker = workers[key]
                client, server = servers[worker.server].client, servers[worker.server].pid
                if worker.server == "untuned":
                    # The untuned server's throttle is a token bucket that refills while the
                    # other variants take their turns: spend its burst first, so that the round
                    # measures the dispatch rate of a server under steady load.
                    await short_round(client, worker.name, 1, UNTUNED_BURST_SPENDERS, tool_calls)
                cpu = worker.cpu_seconds()
                server_cpu = process_cpu_seconds(server) if server else 0.0
                sample = await short_round(
                    client,
                    worker.name,
                    concurrency,
                    max(args.conversations, concurrency),
                    tool_calls,
                )
                calls = sample.conversations * calls_each
                sample.worker_cpu_ms = (worker.cpu_seconds() - cpu) / calls * 1000
                if server:
                    # The server serves only this variant's round (the others' workers idle).
                    sample.server_cpu_ms = (process_cpu_seconds(server) - server_cpu) / calls * 1000
                samples[key].append(asdict(sample))
        entry: dict[str, Any] = {
            "mode": mode,
            "concurrency": concurrency,
            "calls_per_conversation": calls_each,
        }
        for key in keys:
            entry[key] = {
                name: statistics.median(s[name] for s in samples[key])
                for name in ("latency_ms", "calls_per_s", "worker_cpu_ms", "server_cpu_ms")
            } | {"rounds": samples[key]}
        entries.append(entry)
        print(
            f"  {mode} x{concurrency}: "
            + ", ".join(f"{key} {entry[key]['calls_per_s']:.1f} calls/s" for key in keys),
            file=sys.stderr,
        )
    return entries


async def measure_all(servers: dict[str, Server], args: argparse.Namespace) -> dict[str, Any]:
    """Every phase of the comparison, each with fresh worker processes."""
    results: dict[str, Any] = {"short": [], "memory": {}}
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        directory = Path(tmp)
        if args.concurrency:
            async with running(servers, "activity", directory) as workers:
                results["versions"] = {key: w.versions for key, w in workers.items()}
                idle = {key: w.memory_mb() for key, w in workers.items()}
                results["short"] += await short_phase(servers, workers, "activity", args)
                results["memory"]["activity"] = {
                    key: {"idle_rss_mb": idle[key]["rss_mb"], **w.memory_mb()}
                    for key, w in workers.items()
                }
        if args.local_concurrency:
            async with running(servers, "local", directory) as workers:
                results["short"] += await short_phase(servers, workers, "local", args)
        if args.tool_concurrency:
            async with running(servers, "tools", directory) as workers:
                results["short"] += await short_phase(servers, workers, "tools", args)
        if args.long_calls:
            results["long"] = {}
            async with running(servers, "long", directory) as workers:
                results.setdefault("versions", {key: w.versions for key, w in workers.items()})
                for key, worker in workers.items():
                    print(f"  long conversation, {key}...", file=sys.stderr)
                    run = await long_conversation(
                        servers[worker.server].client,
                        worker.name,
                        args.long_calls,
                        args.long_timeout,
                        worker.store,
                    )
                    results["long"][key] = asdict(run)
                results["memory"]["long"] = {key: w.memory_mb() for key, w in workers.items()}
    return results


def draw_chart(results_json: Path, png: Path) -> None:
    """Render the chart with matplotlib from an isolated environment; report, never fail."""
    command = [*ISOLATED, "--with", "matplotlib", "python", str(BENCH / "compare_chart.py")]
    done = subprocess.run([*command, str(results_json), str(png)], check=False)
    if done.returncode:
        print(f"chart not drawn: {shlex.join(command)} exited {done.returncode}", file=sys.stderr)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--rounds", type=int, help="rounds per measurement (default 3)")
    parser.add_argument("--concurrency", type=int, nargs="*", help="default 1 20 100")
    parser.add_argument("--local-concurrency", type=int, nargs="*", help="default 1 20")
    parser.add_argument("--tool-concurrency", type=int, nargs="*", help="default 20")
    parser.add_argument(
        "--tool-calls", type=int, help="model calls per tool-heavy conversation (default 30)"
    )
    parser.add_argument("--conversations", type=int, help="at least this many per round")
    parser.add_argument("--long-calls", type=int, help=f"default {LONG_CALLS}; 0 skips it")
    parser.add_argument("--long-timeout", type=float, default=900, help="seconds per side")
    parser.add_argument("--out-dir", type=Path, help="default bench/results (--quick: a temp dir)")
    parser.add_argument("--no-chart", action="store_true")
    parser.add_argument(
        "--report", type=Path, help="measure nothing: print the table of this compare.json"
    )
    args = parser.parse_args()
    quick = args.quick
    defaults: dict[str, Any] = {
        "rounds": 1 if quick else 3,
        "concurrency": [1, 20] if quick else [1, 20, 100],
        "local_concurrency": [1, 20],
        "tool_concurrency": [20],
        "tool_calls": 10 if quick else TOOL_CALLS,
        "conversations": 5 if quick else 20,
        "long_calls": 40 if quick else LONG_CALLS,
    }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.out_dir is None:
        # A smoke run must not overwrite the committed results.
        quick_dir = Path(tempfile.mkdtemp(prefix="compare-quick-")) if quick else None
        args.out_dir = quick_dir or BENCH / "results"
    return args


def report(results_json: Path) -> None:
    """Print the table of saved results again, with the current targets."""
    results = json.loads(results_json.read_text())
    rows = table_rows(results)
    print_table(results, rows)


async def main() -> None:
    args = parse_args()
    if args.report:
        report(args.report)
        return
    load_before = os.getloadavg()
    envs = [await start_local_server()]
    try:
        envs.append(await start_untuned_server())
        servers = {
            "tuned": await started_server(envs[0]),
            "untuned": await started_server(envs[1]),
        }
        results = await measure_all(servers, args)
    finally:
        await asyncio.gather(*(env.shutdown() for env in envs))
    results["command"] = shlex.join(["uv", "run", "python", "bench/compare.py", *sys.argv[1:]])
    results["machine"] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        # Other work on the machine shows here; ratios hold up better than absolute numbers.
        "load_average_1m": {"start": load_before[0], "end": os.getloadavg()[0]},
    }
    results["settings"] = {
        key: getattr(args, key)
        for key in (
            "rounds",
            "concurrency",
            "local_concurrency",
            "tool_concurrency",
            "tool_calls",
            "conversations",
            "long_calls",
        )
    } | {"page_bytes": PAGE_BYTES, "their_requirements": list(THEIR_REQUIREMENTS)}
    rows = table_rows(results)
    results["targets"] = targets(rows)
    print_table(results, rows)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    results_json = args.out_dir / "compare.json"
    results_json.write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nwrote {results_json}", file=sys.stderr)
    if not args.no_chart:
        draw_chart(results_json, args.out_dir / "compare.png")


if __name__ == "__main__":
    asyncio.run(main())
