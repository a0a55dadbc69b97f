"""`task_failures` blames a failed workflow task on a killed worker only when the history fits.

The churn scenario passes only if every timed-out or failed workflow task is explained by a
SIGKILL; these histories check that the attribution cannot explain away anything else.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import (
    EventType,
    TaskQueueKind,
    TimeoutType,
    WorkflowTaskFailedCause,
)
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.client import WorkflowHistory

from tests.reliability.task_failures import task_failures, unexplained

_UNHANDLED_FAILURE = (
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE
)
T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
A = "101@host"
B = "202@host"


class Events:
    """A workflow history written one workflow task event at a time, a second apart."""

    def __init__(self) -> None:
        self.events: list[HistoryEvent] = []

    def _add(self, event_type: EventType.ValueType, **attributes: object) -> int:
        event = HistoryEvent(event_id=len(self.events) + 1, event_type=event_type, **attributes)  # pyright: ignore[reportArgumentType]
        event.event_time.FromDatetime(T0 + timedelta(seconds=len(self.events)))
        self.events.append(event)
        return event.event_id

    def at(self, event_id: int) -> datetime:
        return T0 + timedelta(seconds=event_id - 1)

    def scheduled(self, sticky: bool = False) -> int:
        kind = (
            TaskQueueKind.TASK_QUEUE_KIND_STICKY if sticky else TaskQueueKind.TASK_QUEUE_KIND_NORMAL
        )
        name = "sticky-queue" if sticky else "queue"
        attributes = {"task_queue": TaskQueue(name=name, kind=kind)}
        return self._add(
            EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
            workflow_task_scheduled_event_attributes=attributes,
        )

    def started(self, scheduled: int, identity: str) -> int:
        return self._add(
            EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
            workflow_task_started_event_attributes={
                "scheduled_event_id": scheduled,
                "identity": identity,
            },
        )

    def completed(self, scheduled: int, started: int, identity: str) -> int:
        return self._add(
            EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
            workflow_task_completed_event_attributes={
                "scheduled_event_id": scheduled,
                "started_event_id": started,
                "identity": identity,
            },
        )

    def task(self, identity: str) -> None:
        """A workflow task on the normal queue, completed by ``identity``."""
        scheduled = self.scheduled()
        self.completed(scheduled, self.started(scheduled, identity), identity)

    def timed_out(self, scheduled: int, started: int, timeout: TimeoutType.ValueType) -> int:
        return self._add(
            EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
            workflow_task_timed_out_event_attributes={
                "scheduled_event_id": scheduled,
                "started_event_id": started,
                "timeout_type": timeout,
            },
        )

    def failed(self, scheduled: int, started: int, identity: str) -> int:
        return self._add(
            EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
            workflow_task_failed_event_attributes={
                "scheduled_event_id": scheduled,
                "started_event_id": started,
                "identity": identity,
                "cause": _UNHANDLED_FAILURE,
            },
        )

    def history(self) -> WorkflowHistory:
        return WorkflowHistory("wf", self.events)


def start_to_close_timeout_of(identity: str) -> tuple[Events, int]:
    """A history whose last task, started by ``identity``, timed out; and its started event."""
    events = Events()
    events.task(A)
    scheduled = events.scheduled(sticky=True)
    started = events.started(scheduled, identity)
    events.timed_out(scheduled, started, TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE)
    return events, started


def explained(events: Events, killed: dict[str, datetime]) -> list[bool]:
    return [f.explained for f in task_failures("wf", events.history(), killed)]


def test_a_task_held_by_a_worker_killed_while_it_ran_is_explained() -> None:
    events, started = start_to_close_timeout_of(A)
    assert explained(events, {A: events.at(started) + timedelta(seconds=0.5)}) == [True]


def test_a_task_held_by_a_live_worker_is_not() -> None:
    events, started = start_to_close_timeout_of(A)
    assert explained(events, {B: events.at(started)}) == [False]
    assert explained(events, {}) == [False]


def test_a_kill_long_before_the_task_started_explains_nothing() -> None:
    events, started = start_to_close_timeout_of(A)
    assert explained(events, {A: events.at(started) - timedelta(seconds=30)}) == [False]


def test_a_speculative_task_without_identity_is_blamed_on_its_sticky_queues_owner() -> None:
    # The server writes an update's speculative task to history only when it ends, without
    # the identity of the worker that started it.
    events, started = start_to_close_timeout_of("")
    assert [f.worker for f in task_failures("wf", events.history(), {})] == [A]
    assert explained(events, {A: events.at(started)}) == [True]
    assert explained(events, {B: events.at(started)}) == [False]


def test_a_sticky_task_nobody_picked_up_is_explained_when_its_owner_died() -> None:
    events = Events()
    events.task(B)
    scheduled = events.scheduled(sticky=True)
    timed_out = events.timed_out(scheduled, 0, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START)
    assert explained(events, {B: events.at(timed_out) - timedelta(seconds=5)}) == [True]
    # Its owner was alive all along: it was too slow, which churn does not explain.
    assert explained(events, {B: events.at(timed_out) + timedelta(seconds=30)}) == [False]
    assert explained(events, {A: events.at(scheduled)}) == [False]


def live_owners_sticky_timeout(*, then_completed: bool) -> Events:
    """B completes a task; its next, on B's sticky queue, waits past the timeout; the server
    schedules it on the normal queue, where A picks it up and completes it or not."""
    events = Events()
    events.task(B)
    scheduled = events.scheduled(sticky=True)
    events.timed_out(scheduled, 0, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START)
    moved = events.scheduled()
    started = events.started(moved, A)
    if then_completed:
        events.completed(moved, started, A)
    else:
        events.timed_out(moved, started, TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE)
    return events


def test_a_live_owners_moved_sticky_task_that_then_completed_is_overload() -> None:
    failures = task_failures("wf", live_owners_sticky_timeout(then_completed=True).history(), {})
    assert [(f.worker, f.explained, f.overload, f.verdict) for f in failures] == [
        (B, False, True, "overload")
    ]
    assert unexplained(failures) == []


def test_a_moved_sticky_task_that_did_not_complete_is_not_overload() -> None:
    failures = task_failures("wf", live_owners_sticky_timeout(then_completed=False).history(), {})
    assert [(f.cause, f.overload) for f in failures] == [
        ("sticky schedule-to-start timeout", False),
        ("start-to-close timeout", False),
    ]
    assert unexplained(failures) == failures


def test_a_moved_sticky_task_is_overload_when_its_replacements_worker_was_killed() -> None:
    # The moved task went to A, which was killed holding it; the server's next try completed.
    events = live_owners_sticky_timeout(then_completed=False)
    started = len(events.events) - 1  # the moved task's start; its timeout follows
    killed = {A: events.at(started) + timedelta(seconds=0.5)}
    retried = events.scheduled()
    events.completed(retried, events.started(retried, B), B)
    failures = task_failures("wf", events.history(), killed)
    assert [(f.cause, f.explained, f.overload) for f in failures] == [
        ("sticky schedule-to-start timeout", False, True),
        ("start-to-close timeout", True, False),
    ]
    assert unexplained(failures) == []
    # Not when nothing explains the replacement's end.
    assert unexplained(task_failures("wf", events.history(), {})) != []


def test_a_moved_sticky_task_whose_replacement_a_live_worker_failed_is_not_overload() -> None:
    # The 300-conversation run's two sticky timeouts left unexplained: each one's replacement
    # failed as a potential deadlock on a fresh worker, then the retry completed. The moved
    # task stays unexplained with its replacement: overload is accepted only where the work
    # went on for reasons explained, and a live worker failing a task is not one.
    events = Events()
    events.task(B)
    scheduled = events.scheduled(sticky=True)
    events.timed_out(scheduled, 0, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START)
    moved = events.scheduled()
    events.failed(moved, events.started(moved, A), A)
    events.task(A)
    failures = task_failures("wf", events.history(), {})
    assert [(f.cause.split(":")[0], f.worker, f.overload) for f in failures] == [
        ("sticky schedule-to-start timeout", B, False),
        ("failed", A, False),
    ]
    assert unexplained(failures) == failures


def test_only_a_sticky_task_can_be_overload() -> None:
    # A normal-queue task nobody picked up is no live worker's backlog: it stays unexplained.
    events = Events()
    events.task(B)
    scheduled = events.scheduled()
    events.timed_out(scheduled, 0, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START)
    events.task(A)
    failures = task_failures("wf", events.history(), {})
    assert [(f.cause, f.overload) for f in failures] == [
        ("normal-queue schedule-to-start timeout", False)
    ]


def test_a_failed_task_is_never_explained_by_a_kill() -> None:
    events = Events()
    scheduled = events.scheduled()
    started = events.started(scheduled, A)
    events.failed(scheduled, started, A)
    failures = task_failures("wf", events.history(), {A: events.at(started)})
    assert [(f.explained, f.overload, f.cause.split(":")[0]) for f in failures] == [
        (False, False, "failed")
    ]
    assert unexplained(failures) == failures
