"""One side's worker for bench/compare.py: our plugin or the published integration.

Started by the driver as a subprocess (ours with ``uv run``, theirs in an isolated ``uv run``
environment with ``temporalio-openai-agents``), so each side has its own process whose peak
memory the driver can read. It serves the workloads of ``compare_workload`` on one task queue,
prints one JSON line ``{"ready": true, "pid": ..., "versions": {...}}`` once polling, and stops
cleanly when its standard input closes. The driver disables Agents SDK tracing export through
``OPENAI_AGENTS_DISABLE_TRACING=1`` in the environment (it must be set before ``agents`` loads).

Usage: ``python bench/compare_side.py --side ours|theirs --address HOST:PORT --task-queue TQ
[--local-activity] [--storage DIR]``
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare_workload import ACTIVITIES, WORKFLOWS, ScriptedModelProvider

# Both sides get the same worker limits; 100 matches the widest concurrency the driver runs.
MAX_CONCURRENT = 100
INTEGRATIONS = {"ours": "agents_temporal", "theirs": "temporalio.openai_agents"}
DISTRIBUTIONS = {"ours": "agents-temporal", "theirs": "temporalio-openai-agents"}


def versions(side: str) -> dict[str, str]:
    """Installed versions of what this side runs on."""
    names = (DISTRIBUTIONS[side], "temporalio", "openai-agents")
    return {name: metadata.version(name) for name in names}


def plugin_and_converter(side: str, local_activity: bool, storage: Path | None) -> dict[str, Any]:
    """Client options for ``side``: only the import differs, the arguments are the same."""
    integration = importlib.import_module(INTEGRATIONS[side])
    plugin = integration.OpenAIAgentsPlugin(
        model_params=integration.ModelActivityParameters(use_local_activity=local_activity),
        model_provider=ScriptedModelProvider(),
    )
    options: dict[str, Any] = {"plugins": [plugin]}
    if storage is not None:
        if side != "ours":
            raise SystemExit("--storage is our feature: the published integration has none")
        # Our documented setup for long conversations: large payloads in a payload store.
        options["data_converter"] = integration.build_data_converter(
            storage=integration.LocalStorageDriver(storage)
        )
    return options


async def stdin_closed() -> None:
    """Return when the driver closes our standard input."""
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)


async def serve(args: argparse.Namespace) -> None:
    client = await Client.connect(
        args.address, **plugin_and_converter(args.side, args.local_activity, args.storage)
    )
    async with Worker(
        client,
        task_queue=args.task_queue,
        workflows=WORKFLOWS,
        activities=ACTIVITIES,
        max_concurrent_workflow_tasks=MAX_CONCURRENT,
        max_concurrent_activities=MAX_CONCURRENT,
        max_concurrent_local_activities=MAX_CONCURRENT,
    ):
        ready = {"ready": True, "pid": os.getpid(), "versions": versions(args.side)}
        print(json.dumps(ready), flush=True)
        await stdin_closed()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--side", choices=sorted(INTEGRATIONS), required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--local-activity", action="store_true")
    parser.add_argument("--storage", type=Path, help="payload storage directory (ours only)")
    args = parser.parse_args()
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
