"""Hosted tool credentials named with ``temporal_worker_env_ref``: the model request carries the
worker's value for the names the worker allows, and nothing the workflow records does."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from agents_temporal import (
    AllowAllWorkerEnvVars,
    ModelActivityParameters,
    OpenAIAgentsPlugin,
    temporal_worker_env_ref,
)
from agents_temporal.testing import OpenAICompatibleServer, TextReply
from tests.replaying import replay, save_history
from tests.sandbox.support import history_text
from tests.worker_env.workflows import ALLOWED, DENIED, WORKFLOWS, HostedMCPSecretAgent

SECRET = "sk-live-worker-only-5d1f0c9e"
OTHER_SECRET = "sk-live-not-allowed-77a3b2"
PARAMS = ModelActivityParameters(start_to_close_timeout=timedelta(seconds=30))


async def test_the_model_request_carries_only_allowed_secrets_and_history_none(
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
    monkeypatch.setenv(ALLOWED, SECRET)
    monkeypatch.setenv(DENIED, OTHER_SECRET)
    with OpenAICompatibleServer() as server:
        server.enqueue(TextReply("3 open tickets"))
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        config = temporal_client.config()
        config["plugins"] = [
            OpenAIAgentsPlugin(model_params=PARAMS, resolvable_worker_env_vars=[ALLOWED])
        ]
        client = Client(**config)
        async with Worker(client, task_queue=task_queue, workflows=WORKFLOWS):
            handle = await client.start_workflow(
                HostedMCPSecretAgent.run,
                "How many open tickets?",
                id=f"hosted-secret-{uuid.uuid4()}",  # noqa: TID251 - test code
                task_queue=task_queue,
            )
            assert await handle.result() == "3 open tickets"
        (request,) = server.requests

    (tool,) = (request.body_json or {})["tools"]
    # The real HTTP request to the model: the worker's value where the worker allows the name,
    # the reference untouched where it does not.
    assert tool["authorization"] == SECRET
    assert tool["headers"] == {
        "X-Api-Key": f"Key {SECRET}",
        "X-Other": temporal_worker_env_ref(DENIED),
    }
    history = await history_text(handle)
    assert temporal_worker_env_ref(ALLOWED) in history
    assert SECRET not in history
    assert OTHER_SECRET not in history
    assert SECRET not in caplog.text
    await save_history(handle, "worker_env_hosted_mcp")


async def test_a_worker_that_allows_nothing_sends_the_references_as_they_are(
    temporal_client: Client, task_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOWED, SECRET)
    with OpenAICompatibleServer() as server:
        server.enqueue(TextReply("no access"))
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        config = temporal_client.config()
        config["plugins"] = [OpenAIAgentsPlugin(model_params=PARAMS)]
        client = Client(**config)
        async with Worker(client, task_queue=task_queue, workflows=WORKFLOWS):
            await client.execute_workflow(
                HostedMCPSecretAgent.run,
                "How many open tickets?",
                id=f"hosted-secret-{uuid.uuid4()}",  # noqa: TID251 - test code
                task_queue=task_queue,
            )
        (request,) = server.requests

    assert SECRET not in json.dumps(request.body_json)
    assert (request.body_json or {})["tools"][0]["authorization"] == temporal_worker_env_ref(
        ALLOWED
    )


@pytest.mark.parametrize("names", ["AGENTS_TEMPORAL_TEST_MCP_TOKEN", AllowAllWorkerEnvVars])
def test_the_plugin_refuses_names_it_would_misread(names: object) -> None:
    with pytest.raises(TypeError, match="resolvable_worker_env_vars"):
        OpenAIAgentsPlugin(resolvable_worker_env_vars=names)  # type: ignore[arg-type]


async def test_the_hosted_secret_history_replays() -> None:
    await replay("worker_env_hosted_mcp", WORKFLOWS)
