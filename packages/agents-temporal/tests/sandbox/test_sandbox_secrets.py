"""Sandbox environment values read from the worker (``TemporalWorkerEnvValue``): the sandbox's
processes see the value on workers that allow the name, and the workflow's history never does."""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import timedelta

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError, ApplicationError

from tests.sandbox.support import history_text, plugin, sandbox_worker, scripted
from tests.sandbox.workflows import SandboxShellAgent, SandboxTask

NAME = "AGENTS_TEMPORAL_TEST_SANDBOX_SECRET"
SECRET = "sk-sandbox-worker-only-91e0a4"
# The command prints a digest of the value: what it prints becomes a tool output, which the
# workflow records, so the test must not print the secret itself.
DIGEST_COMMAND = 'printf %s "$API_KEY" | sha256sum'


async def test_the_sandbox_sees_the_worker_value_and_history_only_its_name(
    temporal_client: Client,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Everything a worker logs by default, and all of ours and Temporal's. (The OpenAI client's
    # own DEBUG log prints whole request bodies, credentials included, when a user turns it on.)
    caplog.set_level(logging.INFO)
    for name in ("agents_temporal", "temporalio"):
        caplog.set_level(logging.DEBUG, logger=name)
    monkeypatch.setenv(NAME, SECRET)
    model = scripted(DIGEST_COMMAND)
    async with sandbox_worker(temporal_client, task_queue, plugin(model, resolvable=[NAME])) as c:
        handle = await c.start_workflow(
            SandboxShellAgent.run,
            SandboxTask("Check the key", secrets={"API_KEY": NAME}),
            id=f"sandbox-secret-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=task_queue,
        )
        assert await handle.result() == "done"

    assert hashlib.sha256(SECRET.encode()).hexdigest() in model.requests[-1].tool_outputs()[0]
    history = await history_text(handle)
    assert NAME in history
    assert SECRET not in history
    assert SECRET not in caplog.text


async def test_a_name_the_worker_does_not_allow_fails_the_run_without_the_value(
    temporal_client: Client, task_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NAME, SECRET)
    model = scripted(DIGEST_COMMAND)
    async with sandbox_worker(temporal_client, task_queue, plugin(model)) as c:
        with pytest.raises(WorkflowFailureError) as failure:
            await c.execute_workflow(
                SandboxShellAgent.run,
                SandboxTask("Check the key", secrets={"API_KEY": NAME}),
                id=f"sandbox-secret-{uuid.uuid4()}",  # noqa: TID251 - test code
                task_queue=task_queue,
                execution_timeout=timedelta(seconds=60),
            )

    error = failure.value.cause
    while isinstance(error, ActivityError) or (
        isinstance(error, ApplicationError) and error.type != "TemporalWorkerEnvValueUnresolved"
    ):
        error = error.cause
    assert isinstance(error, ApplicationError), failure.value.cause
    assert error.non_retryable
    assert NAME in error.message
    assert "resolvable_worker_env_vars" in error.message
    assert SECRET not in str(failure.value) + error.message
