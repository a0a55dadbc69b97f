"""Streaming to observers: delta latency and history cost per streamed answer.

Runs, in one process against one local Temporal server and the local OpenAI-compatible server
(one delta per word, ``--token-delay`` seconds apart, 100 tokens/s by default, a typical
hosted-model pace), one streamed answer of each size through a workflow with a
``StreamEventLog``, observed by ``subscribe_events``:

- first delta: from the activity receiving the provider's first token to the observer
  receiving it;
- delta p50/p95/max: the same for every batch of deltas (measured from the oldest delta in it);
- history: events of the streamed run, its signals, and the same answer through
  ``Runner.run`` in a workflow (the baseline: no deltas, no signals).

A second table runs the middle size with 0, 1 and 3 observers: observers poll with queries
while a call streams, so they should not change the history.

Usage: ``uv run python bench/streaming.py [--sizes 100 1000 5000] [--token-delay 0.01]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agents import set_tracing_disabled
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

# The library's test workflows: `tests` is the namespace package of packages/agents-temporal/tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "packages" / "agents-temporal"))

from agents_temporal import ModelActivityParameters, OpenAIAgentsPlugin
from agents_temporal.streaming import subscribe_events
from agents_temporal.testing import OpenAICompatibleServer, TextReply, start_local_server
from tests.streaming.workflows import StreamingAssistant, StreamRequest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_workflows import UnstreamedAnswer

POLL = timedelta(milliseconds=100)


@dataclass
class Observation:
    first_delta_ms: float
    delta_latencies_ms: list[float]
    delta_events: int


@dataclass
class Row:
    tokens: int
    observers: int
    stream_s: float
    first_delta_ms: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    signals: int
    history: int
    baseline: int


def answer(tokens: int) -> str:
    return " ".join(f"w{i}" for i in range(tokens))


async def observe(client: Client, workflow_id: str) -> Observation:
    latencies: list[float] = []
    async for event in subscribe_events(client, workflow_id, poll_interval=POLL):
        if event.kind == "text_delta" and event.emitted_at is not None:
            latencies.append((datetime.now(UTC) - event.emitted_at).total_seconds() * 1000)
    return Observation(latencies[0] if latencies else float("nan"), latencies, len(latencies))


async def counts(handle: WorkflowHandle[Any, Any]) -> tuple[int, int]:
    history = await handle.fetch_history()
    signaled = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    return len(history.events), sum(1 for e in history.events if e.event_type == signaled)


def new_id() -> str:
    return f"bench-streaming-{uuid.uuid4().hex}"  # noqa: TID251 - not workflow code


async def streamed(
    client: Client, server: OpenAICompatibleServer, queue: str, tokens: int, observers: int
) -> Row:
    server.enqueue(TextReply(answer(tokens)))
    start = time.monotonic()
    handle = await client.start_workflow(
        StreamingAssistant.run, StreamRequest("Write."), id=new_id(), task_queue=queue
    )
    observations = await asyncio.gather(*(observe(client, handle.id) for _ in range(observers)))
    report = await handle.result()
    elapsed = time.monotonic() - start
    assert report.final_output == answer(tokens)
    history, signals = await counts(handle)

    server.enqueue(TextReply(answer(tokens)))
    baseline = await client.start_workflow(
        UnstreamedAnswer.run, "Write.", id=new_id(), task_queue=queue
    )
    assert await baseline.result() == answer(tokens)
    baseline_history, _ = await counts(baseline)
    latencies = sorted(x for o in observations for x in o.delta_latencies_ms)
    nan = float("nan")
    return Row(
        tokens=tokens,
        observers=observers,
        stream_s=elapsed,
        first_delta_ms=statistics.median(o.first_delta_ms for o in observations)
        if observations
        else nan,
        p50_ms=statistics.median(latencies) if latencies else nan,
        p95_ms=latencies[int(0.95 * (len(latencies) - 1))] if latencies else nan,
        max_ms=latencies[-1] if latencies else nan,
        signals=signals,
        history=history,
        baseline=baseline_history,
    )


def print_tables(rows: list[Row], token_delay: float) -> None:
    print(
        f"\nStreamed answers at {1 / token_delay:.0f} tokens/s, batch interval 150 ms, poll 100 ms"
    )
    header = (
        f"{'tokens':>7}{'observers':>10}{'run s':>8}{'first delta ms':>16}{'p50 ms':>8}"
        f"{'p95 ms':>8}{'max ms':>8}{'signals':>9}{'history':>9}{'baseline':>10}"
        f"{'extra/1k tok':>14}"
    )
    print(header)
    for r in rows:
        extra = (r.history - r.baseline) / r.tokens * 1000
        print(
            f"{r.tokens:>7}{r.observers:>10}{r.stream_s:>8.1f}{r.first_delta_ms:>16.0f}"
            f"{r.p50_ms:>8.0f}{r.p95_ms:>8.0f}{r.max_ms:>8.0f}{r.signals:>9}{r.history:>9}"
            f"{r.baseline:>10}{extra:>14.1f}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--token-delay", type=float, default=0.01)
    parser.add_argument("--observers", type=int, nargs="+", default=[0, 1, 3])
    args = parser.parse_args()
    set_tracing_disabled(True)
    env = await start_local_server()
    rows: list[Row] = []
    try:
        with OpenAICompatibleServer(token_delay=args.token_delay) as server:
            os.environ["OPENAI_API_KEY"] = "sk-bench-not-a-real-key"
            os.environ["OPENAI_BASE_URL"] = server.base_url
            params = ModelActivityParameters(start_to_close_timeout=timedelta(minutes=5))
            config = env.client.config()
            config["plugins"] = [OpenAIAgentsPlugin(model_params=params)]
            client = Client(**config)
            queue = f"bench-streaming-{uuid.uuid4().hex[:8]}"  # noqa: TID251 - not workflow code
            async with Worker(
                client, task_queue=queue, workflows=[StreamingAssistant, UnstreamedAnswer]
            ):
                await streamed(client, server, queue, 10, 1)  # warm up clients and caches
                for tokens in args.sizes:
                    rows.append(await streamed(client, server, queue, tokens, 1))
                    print(f"  measured {tokens} tokens", file=sys.stderr)
                middle = args.sizes[len(args.sizes) // 2]
                for observers in args.observers:
                    if observers != 1:
                        rows.append(await streamed(client, server, queue, middle, observers))
                        print(f"  measured {middle} tokens, {observers} observers", file=sys.stderr)
    finally:
        await env.shutdown()
    print_tables(rows, args.token_delay)


if __name__ == "__main__":
    asyncio.run(main())
