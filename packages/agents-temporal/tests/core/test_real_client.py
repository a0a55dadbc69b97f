"""The real client path: OpenAI and LiteLLM clients over HTTP to a local OpenAI-compatible server.

The worker uses the plugin's default model provider, configured only by environment variables,
exactly as in production; the server is scripted and counts every request.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncGenerator, Iterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowFailureError
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.worker import Worker

from agents_temporal import ModelActivityParameters
from agents_temporal.testing import (
    ErrorReply,
    HangReply,
    MalformedReply,
    OpenAICompatibleServer,
    Reply,
    TextReply,
    ToolCall,
    ToolCallReply,
)
from stack_testapp.spec_examples import get_weather
from tests.core.workflows import NamedModelAgent
from tests.local_openai import API_KEY, local_openai_client

FAST_RETRIES = RetryPolicy(
    initial_interval=timedelta(milliseconds=100), backoff_coefficient=1, maximum_attempts=3
)
PARAMS = ModelActivityParameters(
    start_to_close_timeout=timedelta(seconds=2), retry_policy=FAST_RETRIES
)
WEATHER = {"city": "Oslo", "temperature_range": "14-20C", "conditions": "Sunny with wind."}


@pytest.fixture(scope="module", autouse=True)
def litellm_imported() -> None:
    """LiteLLM takes seconds to import; do it before the first 2-second model activity."""
    import agents.extensions.models.litellm_provider  # noqa: F401  # pyright: ignore[reportUnusedImport]


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAICompatibleServer]:
    with OpenAICompatibleServer() as server:
        yield server


@pytest_asyncio.fixture(loop_scope="session")
async def client(
    temporal_client: Client,
    server: OpenAICompatibleServer,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncGenerator[Client]:
    agent_client = local_openai_client(temporal_client, server, monkeypatch, PARAMS)
    async with Worker(
        agent_client, task_queue=task_queue, workflows=[NamedModelAgent], activities=[get_weather]
    ):
        yield agent_client


async def ask(client: Client, task_queue: str, model: str = "gpt-test") -> str:
    return await client.execute_workflow(
        NamedModelAgent.run,
        args=[model, "Weather in Oslo?"],
        id=f"real-{uuid.uuid4()}",  # noqa: TID251 - test code
        task_queue=task_queue,
        execution_timeout=timedelta(seconds=60),
    )


def script(server: OpenAICompatibleServer, *faults: Reply) -> None:
    server.enqueue(
        *faults,
        ToolCallReply([ToolCall("get_weather", {"city": "Oslo"})]),
        TextReply("Sunny in Oslo"),
    )


@pytest.mark.parametrize(
    "model", ["gpt-test", "litellm/openai/gpt-test"], ids=["openai", "litellm"]
)
async def test_tool_calling_agent(
    model: str, client: Client, server: OpenAICompatibleServer, task_queue: str
) -> None:
    script(server)
    assert await ask(client, task_queue, model) == "Sunny in Oslo"
    requests = server.requests
    assert len(requests) == 2
    # The second request carries the activity tool's result back to the model.
    assert json.dumps(WEATHER["conditions"])[1:-1] in requests[1].input_text
    assert requests[0].headers.get("authorization") == f"Bearer {API_KEY}"


@pytest.mark.parametrize(
    ("faults", "requests"),
    [
        pytest.param([ErrorReply(500)], 3, id="500-then-ok"),
        pytest.param([ErrorReply(503), ErrorReply(502)], 4, id="two-5xx-then-ok"),
        pytest.param([ErrorReply(408)], 3, id="408-then-ok"),
        pytest.param([ErrorReply(409)], 3, id="409-then-ok"),
        pytest.param([MalformedReply()], 3, id="malformed-json-then-ok"),
        pytest.param([HangReply(30)], 3, id="timeout-then-ok"),
    ],
)
async def test_transient_faults_are_retried(
    faults: list[Reply],
    requests: int,
    client: Client,
    server: OpenAICompatibleServer,
    task_queue: str,
) -> None:
    script(server, *faults)
    assert await ask(client, task_queue) == "Sunny in Oslo"
    assert server.count() == requests


async def test_rate_limit_honours_retry_after(
    client: Client, server: OpenAICompatibleServer, task_queue: str
) -> None:
    script(server, ErrorReply.rate_limit(retry_after=1))
    assert await ask(client, task_queue) == "Sunny in Oslo"
    first, second = server.requests[:2]
    # The retry policy's own interval is 100 ms; the provider asked for a second.
    assert second.received_at - first.received_at >= 0.9


@pytest.mark.parametrize(
    ("status", "advice"),
    [(400, "bad request"), (401, "OPENAI_API_KEY"), (404, "Check the model name")],
)
async def test_client_errors_fail_fast(
    status: int, advice: str, client: Client, server: OpenAICompatibleServer, task_queue: str
) -> None:
    body: dict[str, Any] = {"error": {"message": "bad request: nope", "type": "invalid"}}
    server.enqueue(ErrorReply(status, body=body))
    with pytest.raises(WorkflowFailureError) as failure:
        await ask(client, task_queue)
    # As in the published integration: the activity's failure, typed by what failed.
    activity_failure = failure.value.cause
    assert isinstance(activity_failure, ActivityError)
    cause = activity_failure.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "APIStatusError"
    assert cause.non_retryable
    assert f"HTTP {status}" in cause.message
    assert advice in cause.message
    assert server.count() == 1


async def test_retries_exhausted_fail_the_workflow(
    client: Client, server: OpenAICompatibleServer, task_queue: str
) -> None:
    server.enqueue(ErrorReply(500), ErrorReply(500), ErrorReply(500))
    with pytest.raises(WorkflowFailureError) as failure:
        await ask(client, task_queue)
    activity_failure = failure.value.cause
    assert isinstance(activity_failure, ActivityError)
    cause = activity_failure.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "APIStatusError"
    assert "HTTP 500" in cause.message
    assert server.count() == 3
