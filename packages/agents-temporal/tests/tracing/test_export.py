"""Export over the wire: OTLP/HTTP to a receiver on 127.0.0.1, and the OpenAI platform exporter."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from agents.tracing.processors import BackendSpanExporter, BatchTraceProcessor
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from temporalio.client import Client
from temporalio.worker import Worker

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.testing import (
    OpenAICompatibleServer,
    TestModelProvider,
    TextReply,
    ToolCall,
    ToolCallReply,
)
from tests.tracing.otlp_worker import SERVICE_NAME
from tests.tracing.support import (
    PARAMS,
    OtelSpans,
    Received,
    Receiver,
    agents_tracing,
    span_id,
    triage_model,
)
from tests.tracing.workflows import TracedTriage, lookup_order

ROOT = Path(__file__).parents[2]


def otlp_spans(requests: list[Received]) -> list[tuple[str, str, bytes]]:
    """(service name, span name, span id) of every span the OTLP receiver got."""
    spans: list[tuple[str, str, bytes]] = []
    for request in requests:
        assert request.path == "/v1/traces"
        assert request.headers["content-type"] == "application/x-protobuf"
        message = ExportTraceServiceRequest()
        message.ParseFromString(request.body)
        for resource_spans in message.resource_spans:
            service = next(
                (
                    a.value.string_value
                    for a in resource_spans.resource.attributes
                    if a.key == "service.name"
                ),
                "",
            )
            for scope_spans in resource_spans.scope_spans:
                spans.extend((service, s.name, s.span_id) for s in scope_spans.spans)
    return spans


async def run_triage(
    temporal_client: Client,
    task_queue: str,
    *,
    use_otel_instrumentation: bool,
    max_cached_workflows: int = 100,
) -> str:
    config = temporal_client.config()
    config["plugins"] = [
        OpenAIAgentsPlugin(
            model_params=PARAMS,
            model_provider=TestModelProvider(triage_model()),
            use_otel_instrumentation=use_otel_instrumentation,
        )
    ]
    client = Client(**config)
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[TracedTriage],
        activities=[lookup_order],
        max_cached_workflows=max_cached_workflows,
    ):
        return await client.execute_workflow(
            TracedTriage.run,
            "Where is my order?",
            id=f"export-{uuid.uuid4()}",  # noqa: TID251 - test ids, not workflow code
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=30),
        )


async def test_spans_reach_an_otlp_http_receiver(
    temporal_client: Client, task_queue: str, otel: OtelSpans
) -> None:
    with Receiver() as receiver:
        exporter = OTLPSpanExporter(endpoint=f"{receiver.url}/v1/traces")
        with agents_tracing(), otel.relay.exporting_to(exporter):
            await run_triage(temporal_client, task_queue, use_otel_instrumentation=True)
    received = otlp_spans(receiver.requests)
    expected = otel.finished()
    assert sorted(name for _, name, _ in received) == sorted(s.name for s in expected)
    assert {int.from_bytes(i, "big") for _, _, i in received} == {span_id(s) for s in expected}


@pytest.mark.slow
async def test_configure_otlp_export_sends_a_workers_spans(
    temporal_client: Client, task_queue: str, subprocess_env: dict[str, str]
) -> None:
    """The helper the apps call, in a process of its own (it installs the global provider)."""
    with Receiver() as receiver:
        env = {
            **subprocess_env,
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
            "OPENAI_AGENTS_DISABLE_TRACING": "0",
        }
        env.pop("OPENAI_API_KEY", None)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.tracing.otlp_worker",
            temporal_client.service_client.config.target_host,
            task_queue,
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), timeout=90)
        assert process.returncode == 0, output.decode()
    received = otlp_spans(receiver.requests)
    assert {service for service, _, _ in received} == {SERVICE_NAME}
    names = {name for _, name, _ in received}
    assert {"Agent workflow", "Triage", "Orders", "store lookup"} <= names


def exported_text(requests: list[Received]) -> str:
    """Every span name, attribute value and event the OTLP receiver got, as one text."""
    texts: list[str] = []
    for request in requests:
        message = ExportTraceServiceRequest()
        message.ParseFromString(request.body)
        for resource_spans in message.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    texts.append(span.name)
                    # Keys too (llm.token_count.*); values as sent, not as protobuf text,
                    # which would escape the quotes of JSON arguments.
                    texts.extend(a.key for a in span.attributes)
                    texts.extend(
                        a.value.string_value if a.value.HasField("string_value") else str(a.value)
                        for a in span.attributes
                    )
                    texts.extend(str(e) for e in span.events)
                    texts.append(span.status.message)
    return "\n".join(texts)


async def export_from_a_worker_process(
    temporal_client: Client, task_queue: str, env: dict[str, str], *extra: str
) -> list[Received]:
    with Receiver() as receiver:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.tracing.otlp_worker",
            temporal_client.service_client.config.target_host,
            task_queue,
            *extra,
            cwd=ROOT,
            env={**env, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), timeout=90)
        assert process.returncode == 0, output.decode()
    return receiver.requests


@pytest.mark.slow
@pytest.mark.parametrize("trace_content", [True, False], ids=["content", "redacted"])
async def test_exported_spans_carry_content_only_when_asked(
    temporal_client: Client, task_queue: str, subprocess_env: dict[str, str], trace_content: bool
) -> None:
    """Through the OpenAI client, as in production: its response spans carry the messages."""
    with OpenAICompatibleServer() as model_server:
        model_server.enqueue(
            ToolCallReply([ToolCall("transfer_to_orders", {})]),
            ToolCallReply([ToolCall("lookup_order", {"order_id": "A1"})]),
            TextReply("Good news: your order shipped on Monday."),
        )
        env = {
            **subprocess_env,
            "OPENAI_AGENTS_DISABLE_TRACING": "0",
            "OPENAI_API_KEY": "sk-test-not-a-real-key",
            "OPENAI_BASE_URL": model_server.base_url,
        }
        extra = ("openai",) if trace_content else ("openai", "redact")
        requests = await export_from_a_worker_process(temporal_client, task_queue, env, *extra)
    text = exported_text(requests)
    # The structure is there either way: agents, the handoff, the tool, token counts.
    assert {"Triage", "Orders", "lookup_order"} <= {name for _, name, _ in otlp_spans(requests)}
    assert "llm.token_count.total" in text
    # The conversation is there only when content is traced: the customer's message, the
    # tool's arguments and result, the model's answer.
    content = ("Where is my order?", '{"order_id": "A1"}', "shipped on Monday")
    found = [piece for piece in content if piece in text]
    assert found == (list(content) if trace_content else []), found


def platform_items(requests: list[Received]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for request in requests:
        items.extend(json.loads(request.body)["data"])
    return items


async def test_openai_platform_tracing_exports_each_span_once_with_a_key(
    temporal_client: Client, task_queue: str
) -> None:
    with Receiver() as receiver:
        exporter = BackendSpanExporter(api_key="sk-test", endpoint=f"{receiver.url}/ingest")
        processor = BatchTraceProcessor(exporter)
        try:
            with agents_tracing(processor):
                # Evicted after every task: spans are begun again on each replay.
                await run_triage(
                    temporal_client,
                    task_queue,
                    use_otel_instrumentation=False,
                    max_cached_workflows=0,
                )
                processor.force_flush()
        finally:
            processor.shutdown()
    assert {r.headers["authorization"] for r in receiver.requests} == {"Bearer sk-test"}
    items = platform_items(receiver.requests)
    traces = [i for i in items if i["object"] == "trace"]
    spans = [i for i in items if i["object"] == "trace.span"]
    assert len(traces) == 1
    ids = [s["id"] for s in spans]
    assert len(ids) == len(set(ids))  # no span exported twice
    assert {s["trace_id"] for s in spans} == {traces[0]["id"]}
    # Replays made the same ids: every parent is a span that was exported.
    assert {s["parent_id"] for s in spans} - {None} <= set(ids)
    custom = {s["span_data"]["name"] for s in spans if s["span_data"]["type"] == "custom"}
    assert {"store lookup", "temporal:startActivity", "temporal:executeActivity"} <= custom


async def test_openai_platform_tracing_is_silent_without_a_key(
    temporal_client: Client,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with Receiver() as receiver:
        processor = BatchTraceProcessor(BackendSpanExporter(endpoint=f"{receiver.url}/ingest"))
        try:
            with caplog.at_level(logging.WARNING), agents_tracing(processor):
                assert "shipped" in await run_triage(
                    temporal_client, task_queue, use_otel_instrumentation=False
                )
                processor.force_flush()
        finally:
            processor.shutdown()
    assert receiver.requests == []
    assert [r.getMessage() for r in caplog.records] == []
