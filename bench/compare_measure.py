"""Measurements for bench/compare.py: worker processes, short and long conversations.

Everything here runs in the driver against workers of either side; the client is a plain
Temporal client (both workloads take and return small JSON values), so both sides are driven by
exactly the same code.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from compare_workload import SHORT_CALLS, LongConversation, ShortConversation
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle

# A workflow task that failed this many times in a row will not succeed by itself (the SDK
# retries it forever): the conversation has hit a limit.
STUCK_ATTEMPTS = 3
PAGE_ACTIVITY = "fetch_page"
_START_TIMEOUT_S = 300  # the first start of the isolated environment installs its packages


def _stat_fields(pid: int) -> list[str]:
    # The fields after the parenthesized command name, which may itself contain spaces.
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time process ``pid`` has used so far (stat fields 14 and 15)."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def dev_server_pid(address: str) -> int | None:
    """The pid of the ``temporal server start-dev`` process this process started on ``address``
    (``host:port``), if any."""
    port = b"\0--port\0" + address.rpartition(":")[2].encode() + b"\0"
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(_stat_fields(int(entry.name))[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        if parent == os.getpid() and b"start-dev" in command and port in command:
            return int(entry.name)
    return None


class WorkerProcess:
    """One side's worker, a subprocess running bench/compare_side.py."""

    def __init__(
        self, name: str, command: list[str], log: Path, store: Path | None, server: str
    ) -> None:
        self.name = name
        """The worker's task queue."""
        self.server = server
        """Which of the run's servers it polls (``tuned`` or ``untuned``)."""
        self.store = store
        """Its payload storage directory, if it has one."""
        self.command = command
        self.log_path = log
        self.pid = 0
        self.versions: dict[str, str] = {}
        self._process: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None

    async def start(self, env: dict[str, str]) -> None:
        """Start the worker and wait until it polls (the first run may install packages)."""
        self._log = self.log_path.open("wb")
        self._process = await asyncio.create_subprocess_exec(
            *self.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=self._log,
            env=env,
        )
        assert self._process.stdout is not None
        line = await asyncio.wait_for(self._process.stdout.readline(), _START_TIMEOUT_S)
        if not line:
            await self._process.wait()
            raise RuntimeError(f"worker {self.name!r} exited before it was ready:\n{self.tail()}")
        ready = json.loads(line)
        self.pid = int(ready["pid"])
        self.versions = dict(ready.get("versions", {}))

    def memory_mb(self) -> dict[str, float]:
        """Current (VmRSS) and peak (VmHWM) resident memory of the worker's Python process."""
        found: dict[str, float] = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024  # kB
        return {"rss_mb": found["VmRSS"], "peak_rss_mb": found["VmHWM"]}

    def cpu_seconds(self) -> float:
        """User plus system CPU time the worker's Python process has used so far."""
        return process_cpu_seconds(self.pid)

    def tail(self, lines: int = 20) -> str:
        """The last lines of the worker's log, for error messages."""
        if self._log is not None:
            self._log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    async def stop(self) -> None:
        """Close the worker's stdin (it shuts down cleanly) and wait for it."""
        process = self._process
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 60)
        except TimeoutError:
            process.kill()
            await process.wait()
        if self._log is not None:
            self._log.close()
        self._process = None


@dataclass
class ShortSample:
    """One round of short conversations at one concurrency."""

    conversations: int

    latency_ms: float
    """Mean conversation duration divided by its model calls."""
    calls_per_s: float
    """Model calls completed per second of wall time, over every wave of the round."""
    worker_cpu_ms: float = 0.0
    """CPU time of the side's worker process per model call (set by the caller)."""
    server_cpu_ms: float = 0.0
    """CPU time of the Temporal server per model call during the round (set by the caller)."""


def _workflow_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"  # noqa: TID251 - ids for the driver, not workflow code


async def _conversation(client: Client, task_queue: str, tool_calls: int | None) -> float:
    start = time.perf_counter()
    if tool_calls is None:
        await client.execute_workflow(
            ShortConversation.run, id=_workflow_id(task_queue), task_queue=task_queue
        )
    else:
        await client.execute_workflow(
            LongConversation.run, tool_calls, id=_workflow_id(task_queue), task_queue=task_queue
        )
    return time.perf_counter() - start


async def short_round(
    client: Client,
    task_queue: str,
    concurrency: int,
    conversations: int,
    tool_calls: int | None = None,
) -> ShortSample:
    """Waves of ``concurrency`` parallel conversations until ``conversations`` have run.

    Short conversations by default; with ``tool_calls``, conversations of that many model calls
    whose tool returns ``PAGE_BYTES`` each time.
    """
    calls = SHORT_CALLS if tool_calls is None else tool_calls
    waves = max(1, conversations // concurrency)
    durations: list[float] = []
    wall = 0.0
    for _ in range(waves):
        start = time.perf_counter()
        durations += await asyncio.gather(
            *(_conversation(client, task_queue, tool_calls) for _ in range(concurrency))
        )
        wall += time.perf_counter() - start
    return ShortSample(
        conversations=len(durations),
        latency_ms=statistics.mean(durations) / calls * 1000,
        calls_per_s=len(durations) * calls / wall,
    )


@dataclass
class LongResult:
    """What one side's long conversation did, and where it stopped."""

    calls_asked: int
    calls_completed: int = 0
    completed: bool = False
    failed_at_call: int | None = None
    """The model call that could not be made (completed calls + 1), when the run failed."""
    error: str | None = None
    wall_s: float = 0.0
    history_bytes: int = 0
    """Sum of the serialized sizes of every history event (fetch_history)."""
    history_events: int = 0
    server_history_bytes: int = 0
    """The server's own count (describe: history_size_bytes), as a cross-check."""
    store_bytes: int = 0
    """Bytes in the payload store after the run (0 when the side has none)."""
    history_by_call: list[int] = field(default_factory=list[int])
    """Cumulative history bytes when the n-th model call completed (index n - 1)."""
    events_by_call: list[int] = field(default_factory=list[int])
    store_by_call: list[int] = field(default_factory=list[int])


async def _stuck_reason(client: Client, handle: WorkflowHandle[Any, Any]) -> str | None:
    description = await handle.describe()
    pending = description.raw_description.pending_workflow_task
    if pending.attempt < STUCK_ATTEMPTS:
        return None
    async for event in client.get_workflow_handle(handle.id).fetch_history_events():
        if event.HasField("workflow_task_failed_event_attributes"):
            attributes = event.workflow_task_failed_event_attributes
            return f"workflow task failed ({attributes.cause}): {attributes.failure.message}"
    return f"workflow task attempt {pending.attempt} pending, no failure recorded"


def _failure_text(error: BaseException) -> str:
    parts: list[str] = []
    current: BaseException | None = error
    while current is not None:
        parts.append(f"{type(current).__name__}: {current}")
        current = current.__cause__
    return " <- ".join(parts)


async def long_conversation(
    client: Client, task_queue: str, calls: int, timeout_s: float, store: Path | None
) -> LongResult:
    """Run one long conversation; a run that hits a Temporal limit is recorded, not raised."""
    result = LongResult(calls_asked=calls)
    handle = await client.start_workflow(
        LongConversation.run, calls, id=_workflow_id(f"{task_queue}-long"), task_queue=task_queue
    )
    start = time.perf_counter()
    outcome = asyncio.ensure_future(handle.result())
    while True:
        done, _ = await asyncio.wait({outcome}, timeout=2)
        if done:
            try:
                outcome.result()
                result.completed = True
            except WorkflowFailureError as error:
                result.error = _failure_text(error.cause or error)
            break
        stuck = await _stuck_reason(client, handle)
        if stuck is None and time.perf_counter() - start > timeout_s:
            stuck = f"no result after {timeout_s:.0f} s"
        if stuck is not None:
            result.error = stuck
            outcome.cancel()
            await handle.terminate(reason=f"bench: {stuck}"[:1000])
            break
    result.wall_s = time.perf_counter() - start
    await _measure_history(client, handle, result, store)
    if not result.completed:
        result.failed_at_call = result.calls_completed + 1
    return result


async def _measure_history(
    client: Client, handle: WorkflowHandle[Any, Any], result: LongResult, store: Path | None
) -> None:
    description = await handle.describe()
    result.server_history_bytes = (
        description.raw_description.workflow_execution_info.history_size_bytes
    )
    events: list[HistoryEvent] = []
    try:
        async for event in client.get_workflow_handle(handle.id).fetch_history_events():
            events.append(event)
    except Exception as error:  # a history too large to read is a result too
        note = f"fetch_history failed after {len(events)} events: {_failure_text(error)}"
        result.error = f"{result.error}; {note}" if result.error else note
    files = _store_files(store)
    model_calls: set[int] = set()
    for event in events:
        result.history_bytes += event.ByteSize()
        result.history_events += 1
        if event.HasField("activity_task_scheduled_event_attributes"):
            attributes = event.activity_task_scheduled_event_attributes
            if attributes.activity_type.name != PAGE_ACTIVITY:
                model_calls.add(event.event_id)
        elif event.HasField("activity_task_completed_event_attributes"):
            if event.activity_task_completed_event_attributes.scheduled_event_id in model_calls:
                at = event.event_time.ToDatetime(tzinfo=UTC)
                result.history_by_call.append(result.history_bytes)
                result.events_by_call.append(result.history_events)
                result.store_by_call.append(_bytes_until(files, at))
    result.calls_completed = len(result.history_by_call)
    result.store_bytes = files[-1][1] if files else 0


def _store_files(store: Path | None) -> list[tuple[float, int]]:
    """(mtime, cumulative bytes) of every stored file, oldest first (files are never rewritten)."""
    if store is None:
        return []
    stats = sorted((p.stat().st_mtime, p.stat().st_size) for p in store.rglob("*") if p.is_file())
    cumulative: list[tuple[float, int]] = []
    total = 0
    for mtime, size in stats:
        total += size
        cumulative.append((mtime, total))
    return cumulative


def _bytes_until(files: list[tuple[float, int]], moment: datetime) -> int:
    index = bisect.bisect_right(files, (moment.timestamp(), sys.maxsize))
    return files[index - 1][1] if index else 0
