"""The worker's log lines never show an exception's text: secrets stay out of logs.

The Temporal SDK logs every failed activity with its exception; a tool's or a model client's
exception can quote an API key or an ``Authorization`` header. The real ``worker`` command
serves `tests.leaky_app`, whose tool and model fail that way; what the worker writes holds the
redaction mark where the text was, and neither secret.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.testing import WorkflowEnvironment

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal._model_call import MODEL_ACTIVITY_NAME
from tests.leaky_app import API_KEY, BEARER, FAIL_THE_MODEL, LeakyConversation

WORKER = Path(sys.executable).with_name("worker")


async def _read_until(stream: asyncio.StreamReader, output: list[bytes], *wanted: str) -> None:
    """Read the worker's output until every one of ``wanted`` has appeared in it."""
    while not all(text in b"".join(output).decode() for text in wanted):
        line = await stream.readline()
        assert line, b"".join(output).decode()
        output.append(line)


@pytest.mark.timeout(180)
async def test_failed_tool_and_model_calls_are_logged_without_their_secrets(
    temporal_env: WorkflowEnvironment,
    task_queue: str,
    subprocess_env: dict[str, str],
    tmp_path: Path,
) -> None:
    address = temporal_env.client.service_client.config.target_host
    env = {k: v for k, v in subprocess_env.items() if k not in ("OPENAI_API_KEY", "MODEL")}
    env.update(
        TEMPORAL_ADDRESS=address,
        TEMPORAL_TASK_QUEUE=task_queue,
        AGENT_APP_OBJECTS="tests.leaky_app:APP",
        PAYLOAD_STORAGE="off",
    )
    worker = await asyncio.create_subprocess_exec(
        str(WORKER),
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert worker.stdout is not None
    output: list[bytes] = []
    client = await Client.connect(address, plugins=[OpenAIAgentsPlugin()])
    try:
        async with asyncio.timeout(90):
            await _read_until(worker.stdout, output, "agent worker ready")
        # The tool fails for good, so the run (and the workflow) fails.
        with pytest.raises(WorkflowFailureError):
            await client.execute_workflow(
                LeakyConversation.run,
                "Where is invoice I-7?",
                id=f"leaky-tool-{uuid.uuid4()}",  # noqa: TID251 - test ids
                task_queue=task_queue,
            )
        # The model activity retries; its first failure is logged.
        model_run = await client.start_workflow(
            LeakyConversation.run,
            FAIL_THE_MODEL,
            id=f"leaky-model-{uuid.uuid4()}",  # noqa: TID251 - test ids
            task_queue=task_queue,
        )
        async with asyncio.timeout(60):
            await _read_until(
                worker.stdout,
                output,
                "'activity_type': 'leaky.fetch_invoice'",
                f"'activity_type': '{MODEL_ACTIVITY_NAME}'",
            )
        await model_run.terminate("the test has what it needs")
    finally:
        worker.terminate()
        rest, _ = await worker.communicate()
        output.append(rest)
    log = b"".join(output).decode()
    assert API_KEY not in log
    assert BEARER not in log
    # Both failures are there, with their types and frames, their text replaced.
    assert "WARNING temporalio.activity: Completing activity as failed" in log
    assert "tests.leaky_app.InvoiceServiceError: details redacted" in log, log
    assert "tests.leaky_app.ProviderError: details redacted" in log, log
    assert 'leaky_app.py", line' in log
