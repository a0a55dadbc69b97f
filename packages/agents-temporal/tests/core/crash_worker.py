"""A worker process for the crash test: ``python -m tests.core.crash_worker ADDRESS QUEUE``.

Its model provider is the plugin's default (OpenAI), pointed by OPENAI_BASE_URL at the test's
local server. The test kills it with SIGKILL and starts another.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from agents_temporal import ModelActivityParameters, OpenAIAgentsPlugin
from tests.core.workflows import MultiStepAgent

READY = "worker ready"


async def main(address: str, task_queue: str) -> None:
    params = ModelActivityParameters(
        start_to_close_timeout=timedelta(seconds=30), heartbeat_timeout=timedelta(seconds=1)
    )
    client = await Client.connect(address, plugins=[OpenAIAgentsPlugin(model_params=params)])
    async with Worker(client, task_queue=task_queue, workflows=[MultiStepAgent]):
        print(READY, flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
