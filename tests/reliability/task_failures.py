"""Workflow task failures in histories, each traced to the worker that caused it.

A SIGKILLed worker leaves two marks in the histories of the workflows it served: a workflow
task it had started times out (start-to-close), and a task the server put on its sticky queue
after (or just before) it died is never picked up (sticky schedule-to-start timeout), after
which the server hands the workflow to the normal queue and another worker replays it. Both are
expected under churn. Anything else (a task failed by a live worker, a live worker too slow to
finish or pick up a task) is a problem the churn scenario must report.

Workers are named by their Temporal identity, ``<pid>@<host>`` by default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import TaskQueueKind, TimeoutType, WorkflowTaskFailedCause
from temporalio.client import WorkflowHistory

CLOCK_SLACK = timedelta(seconds=1)
"""Server event times and the test's kill times come from one machine's clock, read at slightly
different moments (the kill time is taken just before the signal is sent)."""
_TRACE_LINES = 12
"""Lines kept from a failed task's stack trace (the deadlock detector's starts innermost)."""


@dataclass(frozen=True)
class TaskFailure:
    """One workflow task that timed out or failed, and whom it is attributed to."""

    workflow_id: str
    event_id: int
    at: datetime
    cause: str
    """``start-to-close timeout``, ``sticky schedule-to-start timeout`` or ``failed: <cause>``."""
    worker: str | None
    """The identity of the worker that held the task (or owned the sticky queue), if known."""
    explained: bool
    """The worker was SIGKILLed, and the failure fits the time it died."""
    overload: bool = False
    """Not a kill: a live worker's sticky task waited past its timeout, and the task the server
    scheduled on the normal queue in its place then completed."""
    detail: str = ""
    """For a failed task, the start of the stack trace the worker reported (where it was)."""

    @property
    def verdict(self) -> str:
        if self.explained:
            return "killed worker"
        return "overload" if self.overload else "UNEXPLAINED"

    def __str__(self) -> str:
        where = f"\n    {self.detail}" if self.detail else ""
        return (
            f"{self.workflow_id} event {self.event_id} at {self.at.isoformat()}: {self.cause}, "
            f"worker {self.worker} ({self.verdict}){where}"
        )


def task_failures(
    workflow_id: str, history: WorkflowHistory, killed: Mapping[str, datetime]
) -> list[TaskFailure]:
    """Every timed-out or failed workflow task in ``history``, attributed.

    Args:
        workflow_id: For the report.
        history: The workflow's history.
        killed: When each SIGKILLed worker (by identity) was killed.
    """
    scheduled_sticky: dict[int, bool] = {}
    sticky_owner_at_schedule: dict[int, str | None] = {}
    started: dict[int, tuple[str, datetime]] = {}
    completed: set[int] = set()
    """Scheduled event ids of the tasks that completed."""
    last_completed_by: str | None = None
    found: list[TaskFailure] = []
    live_sticky_timeouts: list[int] = []
    failure_of_task: dict[int, int] = {}
    """Index in ``found`` of each failed or timed-out task, by its scheduled event id."""
    """Indexes in ``found`` of the sticky tasks a live owner did not pick up in time."""
    for event in history.events:
        at = event.event_time.ToDatetime(tzinfo=UTC)
        if event.HasField("workflow_task_scheduled_event_attributes"):
            queue = event.workflow_task_scheduled_event_attributes.task_queue
            scheduled_sticky[event.event_id] = queue.kind == TaskQueueKind.TASK_QUEUE_KIND_STICKY
            # The server puts a task on the sticky queue of the worker that completed the last.
            sticky_owner_at_schedule[event.event_id] = last_completed_by
        elif event.HasField("workflow_task_started_event_attributes"):
            attributes = event.workflow_task_started_event_attributes
            started[event.event_id] = (attributes.identity, at)
        elif event.HasField("workflow_task_completed_event_attributes"):
            attributes = event.workflow_task_completed_event_attributes
            last_completed_by = attributes.identity
            completed.add(attributes.scheduled_event_id)
        elif event.HasField("workflow_task_timed_out_event_attributes"):
            timed_out = event.workflow_task_timed_out_event_attributes
            if timed_out.timeout_type == TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE:
                worker, started_at = started.get(timed_out.started_event_id, (None, None))
                if not worker and scheduled_sticky.get(timed_out.scheduled_event_id, False):
                    # A speculative task (one an update asked for) is written to history only
                    # when it ends, and its started event then lacks the identity; on a sticky
                    # queue, only the queue's owner can have started it.
                    worker = sticky_owner_at_schedule.get(timed_out.scheduled_event_id)
                death = killed.get(worker or "")
                explained = (
                    death is not None
                    and started_at is not None
                    and started_at - CLOCK_SLACK <= death <= at + CLOCK_SLACK
                )
                cause = "start-to-close timeout"
            else:
                sticky = scheduled_sticky.get(timed_out.scheduled_event_id, False)
                worker = sticky_owner_at_schedule.get(timed_out.scheduled_event_id)
                death = killed.get(worker or "")
                # Dead before the task's time to be picked up ran out: nobody was there.
                explained = sticky and death is not None and death <= at + CLOCK_SLACK
                kind = "sticky" if sticky else "normal-queue"
                cause = f"{kind} schedule-to-start timeout"
                if sticky and worker and not explained:
                    live_sticky_timeouts.append(len(found))
            failure_of_task[timed_out.scheduled_event_id] = len(found)
            found.append(TaskFailure(workflow_id, event.event_id, at, cause, worker, explained))
        elif event.HasField("workflow_task_failed_event_attributes"):
            failed = event.workflow_task_failed_event_attributes
            # A killed worker reports nothing: a failed task always comes from a live one.
            name = WorkflowTaskFailedCause.Name(failed.cause)
            message = failed.failure.message[:200]
            trace = failed.failure.stack_trace.strip().splitlines()
            failure_of_task[failed.scheduled_event_id] = len(found)
            found.append(
                TaskFailure(
                    workflow_id,
                    event.event_id,
                    at,
                    f"failed: {name}: {message}",
                    failed.identity,
                    explained=False,
                    detail="\n    ".join(trace[:_TRACE_LINES]),
                )
            )
    # A moved sticky task is overload only if the workflow then went on: a later task
    # completed, and every task scheduled between them ended for a reason already explained
    # (its worker was killed while it held it).
    scheduled_ids = sorted(scheduled_sticky)
    for index in live_sticky_timeouts:
        failure = found[index]
        for replacement in (s for s in scheduled_ids if s > failure.event_id):
            if replacement in completed:
                found[index] = replace(failure, overload=True)
                break
            between = failure_of_task.get(replacement)
            if between is None or not found[between].explained:
                break
    return found


def unexplained(failures: Iterable[TaskFailure]) -> list[TaskFailure]:
    """The failures neither a killed worker nor overload (a moved, then completed, task)
    accounts for."""
    return [f for f in failures if not f.explained and not f.overload]
