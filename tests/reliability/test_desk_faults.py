"""Library-level faults on the neutral test desk: workers SIGKILLed, the Temporal server killed.

No example domain: the desk (``stack_testapp``) is served by the `worker` command, named by
AGENT_APP_OBJECTS. Every conversation must end as it would without faults: both answers right,
one approval, each tool called once in its transcript.
"""

from __future__ import annotations

import asyncio
import random  # noqa: TID251 - seeded fault schedules, never in a workflow
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.reliability.desk_driver import (
    DeskOutcome,
    DeskWorkerProcess,
    desk_client,
    desk_env,
    drive_desks,
)
from tests.reliability.temporal_server import KillableTemporalServer

SEED = 5505
CONVERSATIONS = 12
KILLS = 3
DEADLINE_SECONDS = 120.0


def assert_all_right(outcomes: list[DeskOutcome]) -> None:
    problems = [p for outcome in outcomes for p in outcome.problems()]
    assert not problems, f"seed {SEED}: " + "; ".join(problems)


@pytest.mark.slow
@pytest.mark.timeout(DEADLINE_SECONDS + 90, method="thread")
async def test_desk_workers_sigkilled_mid_conversations_lose_nothing(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
) -> None:
    address = temporal_env.client.service_client.config.target_host
    env = desk_env(address, task_queue, tmp_path)
    rng = random.Random(SEED)
    worker = DeskWorkerProcess(env, tmp_path / "workers.log")
    await worker.start()
    try:
        client = await desk_client(address)
        driving = asyncio.create_task(
            drive_desks(client, task_queue, CONVERSATIONS, prefix=f"{task_queue}-kill")
        )
        for _ in range(KILLS):
            # The kill schedule itself: the one place this test sleeps on purpose.
            await asyncio.sleep(rng.uniform(0.5, 3.0))
            await worker.kill()
            worker = DeskWorkerProcess(env, tmp_path / "workers.log")
            await worker.start()
        async with asyncio.timeout(DEADLINE_SECONDS):
            outcomes = await driving
    finally:
        await worker.kill()
    assert_all_right(outcomes)


@pytest.mark.slow
@pytest.mark.timeout(DEADLINE_SECONDS + 90, method="thread")
async def test_desk_temporal_server_killed_twice_loses_nothing(
    task_queue: str, tmp_path: Path
) -> None:
    server = KillableTemporalServer(tmp_path / "temporal.db", tmp_path / "temporal.log")
    await server.start()
    worker = DeskWorkerProcess(desk_env(server.address, task_queue, tmp_path), tmp_path / "w.log")
    try:
        await worker.start()
        client = await desk_client(server.address)
        driving = asyncio.create_task(
            drive_desks(client, task_queue, CONVERSATIONS, prefix=f"{task_queue}-server")
        )
        rng = random.Random(SEED)
        for _ in range(2):
            await asyncio.sleep(rng.uniform(0.5, 2.0))  # the kill schedule, on purpose
            await server.kill()
            await server.start()
        async with asyncio.timeout(DEADLINE_SECONDS):
            outcomes = await driving
    finally:
        await worker.kill()
        await server.stop()
    assert server.starts == 3
    assert_all_right(outcomes)
