"""The floor's workflow, in a module of its own: the sandbox re-imports it for every workflow."""

from __future__ import annotations

from datetime import timedelta

from bench_workflows import CALLS_PER_CONVERSATION, noop
from temporalio import workflow


@workflow.defn
class FloorConversation:
    """The same number of plain activity round trips, with no agent at all."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        for step in range(CALLS_PER_CONVERSATION):
            await workflow.execute_activity(
                noop, step, start_to_close_timeout=timedelta(seconds=10)
            )
        return prompt
