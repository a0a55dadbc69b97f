"""Model faults: a fifth of the model requests answer 429, 500 or hang; all conversations finish.

Every model call, guardrail classifiers included, goes through the real OpenAI client to the
local OpenAI-compatible server. The model activity gets short timeouts and quick retries through
its `ModelActivityParameters` (the worker app has no setting for a retry policy), so a hung
request is abandoned and retried in seconds rather than minutes.
"""

from __future__ import annotations

import random  # noqa: TID251 - seeded test data and fault schedules, never in a workflow
import time
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.common import RetryPolicy
from temporalio.testing import WorkflowEnvironment

from agents_temporal import DefaultModelProvider, ModelActivityParameters, OpenAIAgentsPlugin
from agents_temporal.testing import OpenAICompatibleServer
from tests.reliability.driver import assert_outcomes, drive_all
from tests.reliability.faults import FAULT_KINDS, FaultInjector
from tests.reliability.histories import failed_model_attempts
from tests.reliability.plans import plan_conversations, read_store
from tests.reliability.stack import WorkerConfig, connect_client, plugin_worker
from tests.support.openai_brain import support_responder

SEED = 4404
CONVERSATIONS = 20
DEADLINE_SECONDS = 75.0

FAST_RETRIES = ModelActivityParameters(
    # Long enough for a healthy call on a busy two-core machine, short enough that a hang
    # costs seconds.
    start_to_close_timeout=timedelta(seconds=4),
    # The activity heartbeats, so the worker learns that a timed-out attempt was given up and
    # cancels its HTTP request instead of holding it open.
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
@pytest.mark.timeout(DEADLINE_SECONDS + 90, method="thread")
async def test_model_faults_are_retried_until_every_conversation_completes(
    temporal_env: WorkflowEnvironment,
    task_queue: str,
    tmp_path: Path,
) -> None:
    # A hang outlasts the attempt's timeout, so the activity timeout is what ends it.
    injector = FaultInjector(support_responder, seed=SEED, rate=0.2, hang_seconds=10)
    async with OpenAICompatibleServer(responder=injector) as server:
        config = WorkerConfig(
            temporal_env.client.service_client.config.target_host, task_queue, tmp_path
        )
        # The worker's default provider: OpenAI's client, with its own retries off.
        provider = DefaultModelProvider(api_key="sk-test-local", base_url=server.base_url)
        plugin = OpenAIAgentsPlugin(model_params=FAST_RETRIES, model_provider=provider)
        try:
            async with plugin_worker(config, plugin):
                client = await connect_client(config)
                before = await read_store(config.database_url)
                rng = random.Random(SEED)
                plans = plan_conversations(
                    before, rng, CONVERSATIONS, prefix=task_queue, approval_share=0.1
                )
                started = time.monotonic()
                outcomes = await drive_all(client, plans, task_queue, deadline=DEADLINE_SECONDS)
                elapsed = time.monotonic() - started
        finally:
            await provider.aclose()
        retried = await failed_model_attempts(client, [p.workflow_id for p in plans])
    after = await read_store(config.database_url)
    await assert_outcomes(
        client, outcomes, before, after, plans, seed=SEED, keep_in=tmp_path / "histories"
    )
    seen = dict(injector.faults)
    assert all(seen.get(kind, 0) > 0 for kind in FAULT_KINDS), f"seed {SEED}: faults {seen}"
    # Every fault failed one attempt of a model activity, which Temporal then retried.
    assert retried >= injector.total_faults > 0, f"seed {SEED}: {retried} retries, faults {seen}"
    print(
        f"{CONVERSATIONS} conversations in {elapsed:.1f}s, {injector.answered} answers, "
        f"faults {seen}, {retried} failed attempts retried (seed {SEED})"
    )
