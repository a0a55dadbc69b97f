"""Library-level faults on the neutral test desk: workers and Temporal killed, models failing.

No example domain: the desk (``stack_testapp``) is served by the `worker` command, named by
AGENT_APP_OBJECTS (or, for model faults, by a worker with short model timeouts). Every
conversation must end as it would without faults: both answers right, one approval, each tool
called once in its transcript.
"""

from __future__ import annotations

import asyncio
import random  # noqa: TID251 - seeded fault schedules, never in a workflow
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from agent_worker._run import workflow_runner
from agents_temporal import DefaultModelProvider, ModelActivityParameters, OpenAIAgentsPlugin
from agents_temporal.testing import OpenAICompatibleServer
from stack_testapp import app, close_ticket, look_up_ticket
from tests.reliability.desk_driver import (
    DeskOutcome,
    DeskWorkerProcess,
    desk_client,
    desk_env,
    desk_responder,
    drive_desks,
)
from tests.reliability.faults import FAULT_KINDS, FaultInjector
from tests.reliability.histories import failed_model_attempts
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


FAST_RETRIES = ModelActivityParameters(
    # Long enough for a healthy call on a busy machine, short enough that a hang costs seconds.
    start_to_close_timeout=timedelta(seconds=4),
    heartbeat_timeout=timedelta(seconds=2),
    retry_policy=RetryPolicy(
        initial_interval=timedelta(milliseconds=200),
        backoff_coefficient=1.5,
        maximum_interval=timedelta(seconds=1),
    ),
)


# A timed-out attempt races its own cancellation: when the attempt has already ended, the
# Temporal SDK warns that it found nothing to cancel. Expected here, and harmless.
@pytest.mark.filterwarnings("ignore:Cannot find activity to cancel:UserWarning")
@pytest.mark.slow
@pytest.mark.timeout(DEADLINE_SECONDS + 90, method="thread")
async def test_desk_model_faults_are_retried_until_every_conversation_ends_right(
    temporal_env: WorkflowEnvironment, task_queue: str
) -> None:
    address = temporal_env.client.service_client.config.target_host
    injector = FaultInjector(desk_responder, seed=SEED, rate=0.25, hang_seconds=10)
    async with OpenAICompatibleServer(responder=injector) as server:
        # The worker's default provider: OpenAI's client, with its own retries off.
        provider = DefaultModelProvider(api_key="sk-test-local", base_url=server.base_url)
        plugin = OpenAIAgentsPlugin(model_params=FAST_RETRIES, model_provider=provider)
        worker_client = await Client.connect(address, plugins=[plugin])
        worker = Worker(
            worker_client,
            task_queue=task_queue,
            workflows=list(app.workflows),
            activities=[look_up_ticket, close_ticket],
            workflow_runner=workflow_runner([app]),
        )
        try:
            async with worker:
                client = await desk_client(address)
                async with asyncio.timeout(DEADLINE_SECONDS):
                    outcomes = await drive_desks(
                        client, task_queue, CONVERSATIONS, prefix=f"{task_queue}-model"
                    )
        finally:
            await provider.aclose()
    assert_all_right(outcomes)
    seen = dict(injector.faults)
    assert all(seen.get(kind, 0) > 0 for kind in FAULT_KINDS), f"seed {SEED}: faults {seen}"
    retried = await failed_model_attempts(client, [o.workflow_id for o in outcomes])
    # Every fault failed one attempt of a model activity, which Temporal then retried.
    assert retried >= injector.total_faults > 0, f"seed {SEED}: {retried} retries, faults {seen}"
