"""What workflow histories tell about retries: how many model call attempts failed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from temporalio.client import Client, WorkflowHistory

MODEL_ACTIVITIES = frozenset(
    {"invoke_model_activity", "agents_temporal.invoke_model", "agents_temporal.stream_model"}
)
RPC_TIMEOUT = timedelta(seconds=5)
"""For the calls of failure reports: a report must not hang on the server it reports on."""
REPORT_SECONDS = 30.0


async def failed_model_attempts(client: Client, workflow_ids: Iterable[str]) -> int:
    """The model call attempts that failed and were retried, over the workflows' histories.

    A model activity's started event records the attempt that finished it, so every attempt
    before that one failed (an error answer, or a timeout).
    """
    failed = 0
    for workflow_id in workflow_ids:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        names: dict[int, str] = {}
        for event in history.events:
            if event.HasField("activity_task_scheduled_event_attributes"):
                attributes = event.activity_task_scheduled_event_attributes
                names[event.event_id] = attributes.activity_type.name
            elif event.HasField("activity_task_started_event_attributes"):
                started = event.activity_task_started_event_attributes
                if names.get(started.scheduled_event_id) in MODEL_ACTIVITIES:
                    failed += started.attempt - 1
    return failed


async def stall_report(
    client: Client, workflow_ids: Iterable[str], running: Iterable[str] = ()
) -> str:
    """Why conversations may be stuck: timeouts in their histories, and pending activities.

    Workflow task timeouts mean the worker could not finish a task in time (overloaded, or
    killed); an activity attempt lost with a killed worker shows as a pending activity whose
    attempt waits out its whole timeout.
    """
    counts = {"workflow task timeouts": 0, "workflow task failures": 0, "activity timeouts": 0}
    pending: list[str] = []
    try:
        async with asyncio.timeout(REPORT_SECONDS):
            for workflow_id in workflow_ids:
                history = await _history(client, workflow_id)
                for event in history.events if history is not None else ():
                    kind = _STALL_EVENTS.get(event.WhichOneof("attributes") or "")
                    if kind is not None:
                        counts[kind] += 1
            for workflow_id in running:
                pending.append(await _pending(client, workflow_id))
    except TimeoutError:
        pending.append(f"(report cut short after {REPORT_SECONDS:.0f} s)")
    found = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    return f"{found}; still running: {pending}"


_STALL_EVENTS = {
    "workflow_task_timed_out_event_attributes": "workflow task timeouts",
    # A deadlocked (over 2 s) or crashing workflow task.
    "workflow_task_failed_event_attributes": "workflow task failures",
    "activity_task_timed_out_event_attributes": "activity timeouts",
}


async def _history(client: Client, workflow_id: str) -> WorkflowHistory | None:
    """The workflow's history, or None when the server does not give it in time.

    For failure reports, which must not hide (or hang on) the failure they explain.
    """
    try:
        handle = client.get_workflow_handle(workflow_id)
        return await handle.fetch_history(rpc_timeout=RPC_TIMEOUT)
    except Exception:
        return None


async def _pending(client: Client, workflow_id: str) -> str:
    """What one running workflow waits for."""
    try:
        handle = client.get_workflow_handle(workflow_id)
        description = await handle.describe(rpc_timeout=RPC_TIMEOUT)
    except Exception as error:
        return f"{workflow_id}: not described ({error})"
    activities = [
        f"{a.activity_type.name} attempt {a.attempt} state {a.state}"
        for a in description.raw_description.pending_activities
    ]
    return f"{workflow_id}: pending {activities or 'nothing'}"


async def keep_histories(client: Client, workflow_ids: Iterable[str], directory: Path) -> str:
    """Write the workflows' histories as JSON under ``directory``, for a failure to be studied.

    Returns:
        A sentence that says where they are, for the failure message.
    """
    texts: dict[str, str] = {}
    with contextlib.suppress(TimeoutError):  # keep what was fetched in time
        async with asyncio.timeout(REPORT_SECONDS):
            for workflow_id in workflow_ids:
                history = await _history(client, workflow_id)
                if history is not None:
                    texts[workflow_id] = history.to_json()
    _write(directory, texts)
    return f"{len(texts)} histories kept in {directory}"


def _write(directory: Path, texts: dict[str, str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for workflow_id, text in texts.items():
        (directory / f"{workflow_id}.json").write_text(text)
