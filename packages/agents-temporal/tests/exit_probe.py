"""A short program that uses the library end to end, then ends through ``run_main``.

Run as ``python -P -m tests.exit_probe`` by ``test_process_exit.py``: a client and a worker
with the plugin on the Temporal server at ``TEMPORAL_ADDRESS``, one agent run with a scripted
model, a clean shutdown. ``--finalize`` ends with plain ``asyncio.run``, to show the abort it
guards against.
"""

from __future__ import annotations

import asyncio
import os
import sys

from agents import Agent, Runner
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporalio.client import Client
    from temporalio.worker import Worker

    from agents_temporal import OpenAIAgentsPlugin
    from agents_temporal.process import run_main
    from agents_temporal.testing import ResponseBuilders, TestModel, TestModelProvider


@workflow.defn
class ExitProbe:
    @workflow.run
    async def run(self, prompt: str) -> str:
        result = await Runner.run(Agent(name="Probe", instructions="Answer."), input=prompt)
        return str(result.final_output)


async def probe(workflow_class: type[ExitProbe]) -> None:
    model = TestModel.returning_responses([ResponseBuilders.output_message("done")])
    plugin = OpenAIAgentsPlugin(model_provider=TestModelProvider(model))
    client = await Client.connect(os.environ["TEMPORAL_ADDRESS"], plugins=[plugin])
    queue = f"exit-probe-{os.getpid()}"
    async with Worker(client, task_queue=queue, workflows=[workflow_class]):
        answer = await client.execute_workflow(workflow_class.run, "hi", id=queue, task_queue=queue)
    print(answer)


if __name__ == "__main__":
    # The workflow class must come from a module the sandbox can import again, not __main__.
    from tests.exit_probe import ExitProbe as Imported

    if sys.argv[1:] == ["--finalize"]:
        asyncio.run(probe(Imported))
    else:
        run_main(lambda: asyncio.run(probe(Imported)))
