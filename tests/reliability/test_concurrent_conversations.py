"""One hundred support conversations at once on one worker: every refund exactly once.

The worker is the worker app's own run loop (in this process) with the offline demo model; the
store is a SQLite file, then a Postgres database (`store_url`). Each conversation asks for a
refund on one of its customer's orders, some after asking where the order is, a few above the
approval threshold (approved by the driver).
"""

from __future__ import annotations

import random  # noqa: TID251 - seeded test data and fault schedules, never in a workflow
import time
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.reliability.driver import assert_outcomes, drive_all
from tests.reliability.plans import plan_conversations, read_store
from tests.reliability.stack import WorkerConfig, connect_client, in_process_worker

SEED = 1101
CONVERSATIONS = 100
DEADLINE_SECONDS = 90.0


@pytest.mark.timeout(DEADLINE_SECONDS + 90, method="thread")
async def test_hundred_concurrent_conversations_refund_exactly_once(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path, store_url: str | None
) -> None:
    config = WorkerConfig(
        temporal_env.client.service_client.config.target_host,
        task_queue,
        tmp_path,
        store_url=store_url,
    )
    async with in_process_worker(config):
        client = await connect_client(config)
        before = await read_store(config.database_url)
        rng = random.Random(SEED)
        plans = plan_conversations(
            before, rng, CONVERSATIONS, prefix=task_queue, approval_share=0.05
        )
        started = time.monotonic()
        outcomes = await drive_all(client, plans, task_queue, deadline=DEADLINE_SECONDS)
        elapsed = time.monotonic() - started
    after = await read_store(config.database_url)
    await assert_outcomes(
        client, outcomes, before, after, plans, seed=SEED, keep_in=tmp_path / "histories"
    )
    print(f"{CONVERSATIONS} conversations in {elapsed:.1f}s (seed {SEED})")
