"""A worker process running the published integration, whose workflows ours then finishes.

It runs in an isolated environment (``temporalio-openai-agents`` 1.1.0 pins an older
``openai-agents`` than ours), never in the workspace's, with the ``tests`` folder of
agents-temporal on ``PYTHONPATH`` so that it imports the same workflow module as our worker:

    uv run --isolated --no-project --with temporalio-openai-agents==1.1.0 \\
        --with 'openai-agents==0.22.*' python published_worker.py ADDRESS PREFIX \\
        QUEUE_TOOL QUEUE_MODEL QUEUE_DONE

Through its own client (so each run carries the published client's header), it starts:
- two ``ParcelAgent`` runs on QUEUE_TOOL, whose worker has the model activity but not the tool's
  activity: each makes its first model call here and then waits on the tool;
- one on QUEUE_MODEL, whose worker registers no activity: its first model call waits, scheduled
  with the published integration's input;
- one on QUEUE_DONE, served entirely here (its history is the one committed for replay).

It prints one JSON line (each run's workflow and run id, by name) once the workers poll, then
serves until it is killed.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.openai_agents import (  # pyright: ignore[reportMissingImports]
    ModelActivityParameters,  # pyright: ignore[reportUnknownVariableType]
    OpenAIAgentsPlugin,  # pyright: ignore[reportUnknownVariableType]
)
from temporalio.worker import Worker

from tests.takeover.scripted import ScriptedProvider
from tests.takeover.workflows import ParcelAgent, release_parcel


def _plugin(register_activities: bool) -> Any:
    return OpenAIAgentsPlugin(  # pyright: ignore[reportUnknownVariableType]
        model_params=ModelActivityParameters(start_to_close_timeout=timedelta(seconds=30)),
        model_provider=ScriptedProvider("published"),
        register_activities=register_activities,
    )


async def main(
    address: str, prefix: str, tool_queue: str, model_queue: str, done_queue: str
) -> None:
    """Start the workers and the runs, print the run ids, and serve until killed."""
    client = await Client.connect(address, plugins=[_plugin(True)])
    bare = await Client.connect(address, plugins=[_plugin(False)])
    workers = [
        Worker(client, task_queue=tool_queue, workflows=[ParcelAgent]),
        Worker(bare, task_queue=model_queue, workflows=[ParcelAgent]),
        Worker(client, task_queue=done_queue, workflows=[ParcelAgent], activities=[release_parcel]),
    ]
    runs = {
        "tool-1": (tool_queue, "Release parcel 11"),
        "tool-2": (tool_queue, "Release parcel 12"),
        "model": (model_queue, "Release parcel 21"),
        "done": (done_queue, "Release parcel 31"),
    }
    async with asyncio.TaskGroup() as group:
        for worker in workers:
            group.create_task(worker.run())
        started: dict[str, list[str]] = {}
        for name, (queue, request) in runs.items():
            workflow_id = f"{prefix}-{name}"
            handle = await client.start_workflow(
                ParcelAgent.run, request, id=workflow_id, task_queue=queue
            )
            started[name] = [workflow_id, handle.result_run_id or ""]
        print(json.dumps({"pid": os.getpid(), "runs": started}), flush=True)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
