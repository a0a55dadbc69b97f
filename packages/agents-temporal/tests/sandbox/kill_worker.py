"""A worker process for the SIGKILL test: ``python -m tests.sandbox.kill_worker ADDRESS QUEUE``.

It serves the sandbox workflows with the SDK's real unix_local backend under the name
``local``, and the plugin's default model provider, pointed by OPENAI_BASE_URL at the test's
local server. The test kills it with SIGKILL in the middle of a command and starts another.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from agents.sandbox.sandboxes.unix_local import UnixLocalSandboxClient
from temporalio.client import Client
from temporalio.worker import Worker

from agents_temporal import ModelActivityParameters, OpenAIAgentsPlugin, SandboxClientProvider
from tests.sandbox.workflows import WORKFLOWS

READY = "sandbox worker ready"


async def main(address: str, task_queue: str) -> None:
    plugin = OpenAIAgentsPlugin(
        model_params=ModelActivityParameters(start_to_close_timeout=timedelta(seconds=30)),
        sandbox_clients=[SandboxClientProvider("local", UnixLocalSandboxClient())],
    )
    client = await Client.connect(address, plugins=[plugin])
    async with Worker(client, task_queue=task_queue, workflows=WORKFLOWS):
        print(READY, flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
