"""The Temporal server SIGKILLed twice in the middle of conversations, restarted on its port.

A server of the test's own keeps its state in a SQLite file. The worker app's run loop (in this
process) and the clients reconnect on their own; every conversation finishes with its whole
transcript and every refund is in the store exactly once.
"""

from __future__ import annotations

import asyncio
import random  # noqa: TID251 - seeded test data and fault schedules, never in a workflow
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.driver import Progress, assert_outcomes, drive_all
from tests.reliability.plans import plan_conversations, read_store
from tests.reliability.stack import WorkerConfig, connect_client, in_process_worker
from tests.reliability.temporal_server import KillableTemporalServer

SEED = 2202
CONVERSATIONS = 24
DEADLINE_SECONDS = 90.0


async def until_turns(driving: asyncio.Task[Any], progress: Progress, turns: int) -> None:
    """Wait until ``turns`` turns are done, while the conversations are still running."""
    reached = asyncio.create_task(progress.wait_for_turns(turns))
    await asyncio.wait([driving, reached], return_when=asyncio.FIRST_COMPLETED)
    if driving.done():
        reached.cancel()
        driving.result()  # a failure of the conversations themselves explains best
        pytest.fail(f"seed {SEED}: every conversation ended before the kill at {turns} turns")


@pytest.mark.timeout(DEADLINE_SECONDS + 90, method="thread")
async def test_server_killed_mid_conversations_loses_nothing(
    task_queue: str, tmp_path: Path
) -> None:
    server = KillableTemporalServer(tmp_path / "temporal.db", tmp_path / "temporal.log")
    await server.start()
    config = WorkerConfig(server.address, task_queue, tmp_path)
    try:
        async with in_process_worker(config):
            client = await connect_client(config)
            before = await read_store(config.database_url)
            rng = random.Random(SEED)
            plans = plan_conversations(
                before, rng, CONVERSATIONS, prefix=task_queue, approval_share=0.15
            )
            total_turns = sum(len(p.messages()) for p in plans)
            progress = Progress()
            driving = asyncio.create_task(
                drive_all(client, plans, task_queue, progress, deadline=DEADLINE_SECONDS)
            )
            # Kill once a quarter and again once two thirds of the turns are done, so that
            # conversations are caught at every stage: starting, mid-turn, awaiting approval.
            for share in (0.25, 0.66):
                await until_turns(driving, progress, int(total_turns * share))
                await server.kill()
                await server.start()
            outcomes = await driving
        after = await read_store(config.database_url)
        await assert_outcomes(
            client,
            outcomes,
            before,
            after,
            plans,
            seed=SEED,
            keep_in=tmp_path / "histories",
            allow_replayed_refund=True,
        )
    finally:
        await server.stop()
    assert server.starts == 3
    retried = sum(o.transient_errors for o in outcomes)
    print(f"{CONVERSATIONS} conversations, {retried} client calls retried (seed {SEED})")
