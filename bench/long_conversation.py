"""One conversation of 1,000 model calls: history and stored bytes per call stay flat.

Runs the ``LongConversation`` test workflow on a local Temporal server: 100 turns, each nine
tool calls (an activity returning 10 KB) and an answer, so 1,000 model calls, with a
zero-latency ``TestModel``, local payload storage (64 KiB threshold) and, with ``--encrypt``,
AES-GCM encryption. The workflow continues as new when Temporal suggests it, carrying its
session and what it stored. Afterwards the whole history (every run) is read back and, at 10,
100 and 1,000 model calls, it prints the history bytes and events per model call, the bytes in
the payload store, and the marginal history bytes per call since the previous mark; then the
wall time.

``--baseline`` also runs the first 100 calls with payload storage off, as the published
integration does (every model call resends the whole conversation), for comparison; that
conversation cannot reach 1,000 calls: its inputs pass Temporal's 2 MB payload limit first.

Usage: ``uv run python bench/long_conversation.py [--turns 100] [--encrypt] [--baseline]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agents import set_tracing_disabled
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

# The library's test workflows: `tests` is the namespace package of packages/agents-temporal/tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "packages" / "agents-temporal"))

from agents_temporal import EncryptionCodec, LocalStorageDriver, build_data_converter
from agents_temporal.testing import start_local_server
from tests.long_conversations.support import MODEL_ACTIVITIES, agent_worker
from tests.long_conversations.workflows import LongConversation, LongConversationInput

MARKS = (10, 100, 1000)


@dataclass
class Mark:
    calls: int
    history_bytes: int
    events: int
    store_bytes: int
    at: datetime


async def run_histories(client: Client, workflow_id: str) -> list[list[HistoryEvent]]:
    """The events of every run of the workflow, following continue-as-new."""
    runs: list[list[HistoryEvent]] = []
    handle = client.get_workflow_handle(workflow_id)
    run_id = (await handle.describe()).raw_description.workflow_execution_info.first_run_id
    while run_id:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        runs.append(list(history.events))
        last = history.events[-1].workflow_execution_continued_as_new_event_attributes
        run_id = last.new_execution_run_id
    return runs


def store_bytes_until(directory: Path | None, moment: datetime) -> int:
    """Bytes of the payload files written by ``moment`` (files are never rewritten)."""
    if directory is None:
        return 0
    limit = moment.timestamp()
    return sum(
        p.stat().st_size for p in directory.rglob("*") if p.is_file() and p.stat().st_mtime <= limit
    )


def marks(
    runs: list[list[HistoryEvent]], store: Path | None, wanted: tuple[int, ...]
) -> list[Mark]:
    """History size, events and store size when the n-th model call completed."""
    found: list[Mark] = []
    calls = total_bytes = events = 0
    for events_of_run in runs:
        model_calls: set[int] = set()
        for event in events_of_run:
            total_bytes += event.ByteSize()
            events += 1
            if event.HasField("activity_task_scheduled_event_attributes"):
                attributes = event.activity_task_scheduled_event_attributes
                if attributes.activity_type.name in MODEL_ACTIVITIES:
                    model_calls.add(event.event_id)
            elif event.HasField("activity_task_completed_event_attributes"):
                if event.activity_task_completed_event_attributes.scheduled_event_id in model_calls:
                    calls += 1
                    if calls in wanted:
                        at = event.event_time.ToDatetime(tzinfo=UTC)
                        found.append(
                            Mark(calls, total_bytes, events, store_bytes_until(store, at), at)
                        )
    return found


async def converse(
    client: Client, conversation: LongConversationInput, store: Path | None, encrypt: bool
) -> tuple[list[Mark], float, int]:
    task_queue = f"bench-long-{uuid.uuid4().hex[:8]}"  # noqa: TID251 - not workflow code
    storage = LocalStorageDriver(store) if store is not None else None
    codec = EncryptionCodec({"bench": os.urandom(32)}) if encrypt else None
    converter = build_data_converter(storage=storage, codec=codec)
    async with agent_worker(client, task_queue, data_converter=converter) as agent_client:
        start = time.perf_counter()
        workflow_id = f"{task_queue}-conversation"
        result = await agent_client.execute_workflow(
            LongConversation.run, conversation, id=workflow_id, task_queue=task_queue
        )
        wall = time.perf_counter() - start
    print(f"  last answer: {result.last_answer!r}, runs: {result.runs}", file=sys.stderr)
    runs = await run_histories(client, workflow_id)
    return marks(runs, store, MARKS), wall, len(runs)


def print_marks(title: str, rows: list[Mark]) -> None:
    print(f"\n{title}")
    print(
        f"{'model calls':>11}{'history KB':>12}{'bytes/call':>12}{'marginal/call':>15}"
        f"{'events/call':>13}{'store KB':>10}{'store/call':>12}"
    )
    previous: Mark | None = None
    for row in rows:
        marginal = (
            (row.history_bytes - previous.history_bytes) / (row.calls - previous.calls)
            if previous
            else row.history_bytes / row.calls
        )
        per_call = row.history_bytes / row.calls
        print(
            f"{row.calls:>11}{row.history_bytes / 1024:>12.0f}{per_call:>12.0f}"
            f"{marginal:>15.0f}{row.events / row.calls:>13.1f}{row.store_bytes / 1024:>10.0f}"
            f"{row.store_bytes / row.calls:>12.0f}"
        )
        previous = row


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument("--pages-per-turn", type=int, default=9)
    parser.add_argument("--page-bytes", type=int, default=10 * 1024)
    parser.add_argument("--encrypt", action="store_true", help="AES-GCM payload encryption")
    parser.add_argument("--baseline", action="store_true", help="also 100 calls, storage off")
    args = parser.parse_args()
    set_tracing_disabled(True)
    env = await start_local_server()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-payloads-") as directory:
            conversation = LongConversationInput(
                turns=args.turns, pages_per_turn=args.pages_per_turn, page_bytes=args.page_bytes
            )
            rows, wall, runs = await converse(
                env.client, conversation, Path(directory), args.encrypt
            )
            calls = args.turns * (args.pages_per_turn + 1)
            encryption = " + encryption" if args.encrypt else ""
            print_marks(
                f"payload storage on{encryption}: {calls} model calls, "
                f"{args.page_bytes} B per tool output, {runs} run(s)",
                rows,
            )
            print(f"wall time: {wall:.1f} s ({wall / calls * 1000:.1f} ms per model call)")
        if args.baseline:
            baseline = LongConversationInput(
                turns=min(args.turns, 10),
                pages_per_turn=args.pages_per_turn,
                page_bytes=args.page_bytes,
            )
            rows, wall, runs = await converse(env.client, baseline, None, args.encrypt)
            print_marks("baseline, payload storage off (whole conversation every call)", rows)
            print(f"wall time: {wall:.1f} s")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
