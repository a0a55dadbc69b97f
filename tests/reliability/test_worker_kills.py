"""`worker` processes SIGKILLed again and again while conversations ask for refunds.

For about a minute the test kills the worker at seeded random moments and starts a new one,
while a few customers at a time hold conversations, each asking for a refund (some above the
approval threshold). Then one last worker stays up until every conversation is done: each
one completes and each refund is in the store exactly once. The store is Postgres, what the
compose and k8s files deploy (``WORKER_KILL_STORES=sqlite,postgres`` adds a SQLite file: the
SQLite store's kill scenarios are the example's own, ``test_worker_restart.py``).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random  # noqa: TID251 - seeded test data and fault schedules, never in a workflow
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from tests.reliability.driver import (
    Outcome,
    Progress,
    ResilientConversation,
    assert_outcomes,
    stalled,
)
from tests.reliability.plans import (
    ConversationPlan,
    plan_conversations,
    read_store,
)
from tests.reliability.stack import WorkerConfig, WorkerProcess, connect_client

SEED = 3303
KILL_WINDOW_SECONDS = 60.0
UP_SECONDS = (1.0, 6.0)
"""How long each worker lives once it is ready: a seeded random time in this range."""
CUSTOMERS = 6
PLANS = 160
DRAIN_SECONDS = 60.0
STORES = os.environ.get("WORKER_KILL_STORES", "postgres").split(",")
"""The stores the scenario runs on, by name (``store_url``)."""
"""How long the last worker may take to finish the conversations still open."""


async def customer(
    client: Client,
    plans: Iterator[ConversationPlan],
    task_queue: str,
    progress: Progress,
    keep_going: asyncio.Event,
) -> list[Outcome]:
    """One customer after another at one desk, until the kill schedule is over."""
    outcomes: list[Outcome] = []
    while keep_going.is_set():
        plan = next(plans)
        outcomes.append(await ResilientConversation(client, plan, task_queue, progress).run())
    return outcomes


@pytest.mark.parametrize("store_url", STORES, indirect=True)
@pytest.mark.timeout(KILL_WINDOW_SECONDS + DRAIN_SECONDS + 90, method="thread")
async def test_worker_sigkilled_repeatedly_refunds_exactly_once(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path, store_url: str | None
) -> None:
    config = WorkerConfig(
        temporal_env.client.service_client.config.target_host,
        task_queue,
        tmp_path,
        store_url=store_url,
    )
    rng = random.Random(SEED)
    worker = WorkerProcess(config, tmp_path / "workers.log")
    await worker.start()
    kills = 0
    turns_at_kills: list[int] = []
    try:
        client = await connect_client(config)
        before = await read_store(config.database_url)
        plans = plan_conversations(before, rng, PLANS, prefix=task_queue, approval_share=0.1)
        queue = iter(plans)
        progress = Progress()
        keep_going = asyncio.Event()
        keep_going.set()
        desks = [
            asyncio.create_task(customer(client, queue, task_queue, progress, keep_going))
            for _ in range(CUSTOMERS)
        ]
        deadline = time.monotonic() + KILL_WINDOW_SECONDS
        while time.monotonic() < deadline:
            # The kill schedule itself: the one place this suite sleeps on purpose.
            await asyncio.sleep(rng.uniform(*UP_SECONDS))
            await worker.kill()
            kills += 1
            turns_at_kills.append(progress.turns)
            worker = WorkerProcess(config, tmp_path / "workers.log")
            await worker.start()
        keep_going.clear()
        try:
            async with asyncio.timeout(DRAIN_SECONDS):
                outcomes = list(itertools.chain(*await asyncio.gather(*desks)))
        except TimeoutError:
            taken = plans[: progress.started]
            message = await stalled(client, taken, progress, DRAIN_SECONDS)
            raise AssertionError(f"seed {SEED}, {kills} kills: {message}") from None
    finally:
        await worker.kill()
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
    assert kills >= 3, f"seed {SEED}: only {kills} kills"
    # Conversations went on between the kills, not only after the last one.
    assert turns_at_kills[-1] > turns_at_kills[0], f"seed {SEED}: turns {turns_at_kills}"
    print(
        f"{kills} kills (turns done at each: {turns_at_kills}), {len(outcomes)} conversations, "
        f"{progress.turns} turns (seed {SEED})"
    )
