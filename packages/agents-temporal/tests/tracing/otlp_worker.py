"""A worker process that exports over OTLP as the apps do: run by test_export in a subprocess.

``configure_otlp_export`` installs the global tracer provider, which can happen once per
process, so this runs in a process of its own. Usage: ``python -m tests.tracing.otlp_worker
TEMPORAL_ADDRESS TASK_QUEUE [redact] [openai]`` with ``OTEL_EXPORTER_OTLP_ENDPOINT`` set;
``redact`` exports without content (``trace_content=False``); ``openai`` calls the model
through the OpenAI client at ``OPENAI_BASE_URL`` instead of a ``TestModel``.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import timedelta

from agents import set_trace_processors
from temporalio.client import Client
from temporalio.worker import Worker

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.opentelemetry import configure_otlp_export
from agents_temporal.testing import TestModelProvider
from tests.tracing.support import PARAMS, triage_model
from tests.tracing.workflows import TracedTriage, lookup_order

SERVICE_NAME = "tracing-test-worker"


async def main(
    address: str, task_queue: str, *, redact: bool = False, openai: bool = False
) -> None:
    provider = configure_otlp_export(SERVICE_NAME)
    assert provider is not None, "OTEL_EXPORTER_OTLP_ENDPOINT is not set"
    set_trace_processors([])  # nothing but OpenTelemetry listens
    plugin = OpenAIAgentsPlugin(
        model_params=PARAMS,
        # The OpenAI client (at OPENAI_BASE_URL) makes a model call's response span, with
        # the messages and token counts, as in production.
        model_provider=None if openai else TestModelProvider(triage_model()),
        use_otel_instrumentation=True,
        trace_content=not redact,
    )
    client = await Client.connect(address, plugins=[plugin])
    async with Worker(
        client, task_queue=task_queue, workflows=[TracedTriage], activities=[lookup_order]
    ):
        await client.execute_workflow(
            TracedTriage.run,
            "Where is my order?",
            id=f"otlp-{uuid.uuid4()}",  # noqa: TID251 - test ids, not workflow code
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=30),
        )
    provider.shutdown()  # flushes the batch exporter


if __name__ == "__main__":
    options = sys.argv[3:]
    asyncio.run(
        main(sys.argv[1], sys.argv[2], redact="redact" in options, openai="openai" in options)
    )
