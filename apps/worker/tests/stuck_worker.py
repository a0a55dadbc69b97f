"""A worker process whose workflows block their thread past Temporal's deadlock limit.

Run as ``python -m tests.stuck_worker ADDRESS TASK_QUEUE HEALTH_PORT STUCK_EXIT_SECONDS``: the
worker command's run loop, with its health server, serving `Blocking`, whose task waits on a
lock that is never released: the way a workflow thread waits behind a lock held by a thread
that does not run.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from temporalio import workflow

from agent_stack.settings import Settings
from agent_worker._run import serve_worker
from agents_temporal.apps import AgentApp
from agents_temporal.testing import ResponseBuilders, TestModel, TestModelProvider

_HELD = threading.Lock()
_HELD.acquire()


def _block() -> None:
    with workflow.unsafe.sandbox_unrestricted():
        _HELD.acquire()  # what a workflow must never do: hold its thread


@workflow.defn
class Blocking:
    @workflow.run
    async def run(self) -> str:
        _block()
        return "done"


@asynccontextmanager
async def _no_activities(settings: Any) -> AsyncGenerator[Sequence[Callable[..., Any]]]:
    yield []


def _offline() -> TestModelProvider:
    return TestModelProvider(TestModel(lambda: ResponseBuilders.output_message("unused")))


APP = AgentApp(
    name="stuck",
    title="Stuck",
    description="Blocks its workflow thread.",
    conversation_workflow=Blocking,
    workflows=[Blocking],
    activities=_no_activities,
    offline_model_provider=_offline,
    sandbox_passthrough_modules=["tests.stuck_worker"],
)


def main(address: str, task_queue: str, health_port: str, stuck_exit_seconds: str) -> int:
    settings = Settings(
        **dict[str, Any](
            TEMPORAL_ADDRESS=address,
            TEMPORAL_TASK_QUEUE=task_queue,
            WORKER_HEALTH_PORT=health_port,
            WORKER_STUCK_EXIT_SECONDS=stuck_exit_seconds,
            OPENAI_API_KEY=None,
            MODEL=None,
            PAYLOAD_STORAGE="off",
            _env_file=None,
        )
    )
    return serve_worker(settings, [APP])


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
