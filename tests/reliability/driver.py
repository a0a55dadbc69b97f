"""A conversation client that survives the faults the reliability tests inject.

Workers die, the Temporal server restarts, model calls fail: a client call may then fail or
time out even though the conversation itself is fine. This driver retries every call with the
same update id (Temporal deduplicates updates by id) and, when the conversation has moved on
without it (a message already taken, an approval already decided), reads where it stands
instead. It never sends a message twice.
"""

from __future__ import annotations

import asyncio
import random  # noqa: TID251 - seeded test data and fault schedules, never in a workflow
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError

from agents_temporal.client import (
    ApprovalDecision,
    ConversationHandle,
    ConversationInput,
    ConversationStatus,
    SendMessage,
    TranscriptEntry,
    TurnResult,
)
from support_agents import SupportConversation
from tests.reliability.histories import keep_histories, stall_report
from tests.reliability.plans import ConversationPlan, StoreSnapshot, refund_problems

_T = TypeVar("_T")

OPERATOR = "reliability@example.com"
_TRANSIENT = (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError)
# Refusals that mean "the conversation already has this": the earlier attempt got through.
_ALREADY_DONE = frozenset({"StaleTurn", "AlreadyDecided", "UnknownApproval"})


@dataclass
class Outcome:
    """What the driver saw of one conversation."""

    plan: ConversationPlan
    results: list[TurnResult] = field(default_factory=list[TurnResult])
    approvals: int = 0
    transient_errors: int = 0
    transcript: list[TranscriptEntry] = field(default_factory=list[TranscriptEntry])


class Progress:
    """Counts finished turns across conversations, so a test can act at a known point."""

    def __init__(self) -> None:
        self.started = 0
        self.turns = 0
        self.conversations = 0
        self.running: set[str] = set()
        """Workflow ids of the conversations under way."""
        self._changed = asyncio.Event()

    def turn_done(self) -> None:
        self.turns += 1
        self._changed.set()

    def conversation_done(self) -> None:
        self.conversations += 1
        self._changed.set()

    async def wait_for_turns(self, turns: int) -> None:
        """Return once at least ``turns`` turns have finished."""
        while self.turns < turns:
            self._changed.clear()
            await self._changed.wait()


class ResilientConversation:
    """Drives one planned conversation to its end through any number of faults."""

    def __init__(
        self,
        client: Client,
        plan: ConversationPlan,
        task_queue: str,
        progress: Progress | None = None,
    ) -> None:
        self._client = client
        self._progress = progress or Progress()
        self._plan = plan
        self._task_queue = task_queue
        self._conversation = ConversationHandle(client, plan.workflow_id)
        # Updates go through the raw handle: ConversationHandle does not take update ids.
        self._handle = self._conversation.handle
        self.outcome = Outcome(plan)
        # Back-off jitter only; seeded so a failing run can be repeated.
        self._rng = random.Random(plan.workflow_id)

    async def run(self) -> Outcome:
        """Start the conversation, send every message, approve what waits, read the transcript."""
        self._progress.started += 1
        self._progress.running.add(self._plan.workflow_id)
        await self._start()
        for turn, text in enumerate(self._plan.messages(), start=1):
            result = await self._send(turn, text)
            while result.status == "awaiting_approval":
                self.outcome.approvals += 1
                result = await self._approve(result)
            self.outcome.results.append(result)
            self._progress.turn_done()
        self.outcome.transcript = await self._retrying(self._conversation.transcript)
        self._progress.running.discard(self._plan.workflow_id)
        self._progress.conversation_done()
        return self.outcome

    async def _start(self) -> None:
        async def start() -> None:
            try:
                await self._client.start_workflow(
                    SupportConversation.run,
                    ConversationInput(context=self._plan.context),
                    id=self._plan.workflow_id,
                    task_queue=self._task_queue,
                )
            except WorkflowAlreadyStartedError:
                # An earlier attempt did start it; only its answer was lost.
                pass

        await self._retrying(start)

    async def _send(self, turn: int, text: str) -> TurnResult:
        async def send() -> TurnResult | None:
            return await self._update(
                "send_message", SendMessage(text=text, turn=turn), f"send-{turn}"
            )

        result = await self._retrying(send)
        return result if result is not None else await self._settled(turn)

    async def _approve(self, waiting: TurnResult) -> TurnResult:
        pending = waiting.pending_approvals[0]
        decision = ApprovalDecision(approval_id=pending.id, approve=True, operator=OPERATOR)

        async def decide() -> TurnResult | None:
            return await self._update("decide_approval", decision, f"decide-{pending.id}")

        result = await self._retrying(decide)
        return result if result is not None else await self._settled(waiting.turn)

    async def _update(self, name: str, arg: Any, update_id: str) -> TurnResult | None:
        """The update's result; None when the conversation already took it another time."""
        try:
            return await self._handle.execute_update(
                name, arg, id=f"{self._plan.workflow_id}-{update_id}", result_type=TurnResult
            )
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            if isinstance(cause, ApplicationError) and cause.type in _ALREADY_DONE:
                return None
            raise

    async def _settled(self, turn: int) -> TurnResult:
        """Wait for ``turn`` to finish or pause, and rebuild its result from the queries."""
        while True:
            status: ConversationStatus = await self._retrying(self._conversation.status)
            if status.turn >= turn and status.phase != "running":
                break
            await self._pause(0.2)
        if status.phase == "awaiting_approval":
            return TurnResult(
                turn=turn,
                status="awaiting_approval",
                agent=status.current_agent,
                pending_approvals=status.pending_approvals,
            )
        entries = await self._retrying(self._conversation.transcript)
        last = [e for e in entries if e.turn == turn][-1]
        if last.kind == "turn_failed":
            return TurnResult(
                turn=turn, status="failed", agent=status.current_agent, error=last.text
            )
        return TurnResult(
            turn=turn, status="completed", agent=status.current_agent, reply=last.text
        )

    async def _retrying(self, call: Callable[[], Awaitable[_T]]) -> _T:
        """Run ``call`` until it gets through a fault; real failures propagate."""
        delay = 0.1
        while True:
            try:
                return await call()
            except _TRANSIENT as error:
                # The SDK reports a cancelled update poll as an RPC timeout: when it is this
                # task being cancelled (the test's deadline), stop instead of retrying.
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError() from error
                self.outcome.transient_errors += 1
            await self._pause(delay)
            delay = min(delay * 2, 2.0)

    async def _pause(self, seconds: float) -> None:
        # Polling and back-off between retries, not a wait for some state to appear by itself.
        await asyncio.sleep(seconds * (0.5 + self._rng.random()))


async def drive_all(
    client: Client,
    plans: list[ConversationPlan],
    task_queue: str,
    progress: Progress | None = None,
    *,
    deadline: float,
) -> list[Outcome]:
    """Run every planned conversation at once; the first real failure cancels the rest.

    Raises:
        AssertionError: Not every conversation finished within ``deadline`` seconds; the
            message says how far they got and what the histories show.
    """
    progress = progress or Progress()
    try:
        async with asyncio.timeout(deadline), asyncio.TaskGroup() as group:
            tasks = [
                group.create_task(ResilientConversation(client, plan, task_queue, progress).run())
                for plan in plans
            ]
    except TimeoutError:
        message = await stalled(client, plans, progress, deadline)
        # Also straight to the terminal: stopping an overloaded worker can outlast the test's
        # timeout, which then ends the process before pytest shows this failure.
        print(message, file=sys.__stderr__, flush=True)
        raise AssertionError(message) from None
    return [task.result() for task in tasks]


async def stalled(
    client: Client, plans: list[ConversationPlan], progress: Progress, deadline: float
) -> str:
    """The failure message for conversations that did not finish in time."""
    report = await stall_report(client, [p.workflow_id for p in plans], sorted(progress.running))
    return (
        f"{progress.conversations} of {progress.started} conversations started "
        f"({progress.turns} turns) finished within {deadline:.0f}s; {report}"
    )


def outcome_problems(outcome: Outcome, *, allow_replayed_refund: bool = False) -> list[str]:
    """Every way a conversation's replies and transcript differ from its plan."""
    plan = outcome.plan
    name = plan.workflow_id
    problems: list[str] = []
    turns = len(plan.messages())
    if [r.status for r in outcome.results] != ["completed"] * turns:
        problems.append(f"{name}: turns ended {[(r.status, r.error) for r in outcome.results]}")
        problems.append(f"{name}: transcript {transcript_lines(outcome)}")
        return problems
    final = outcome.results[-1].reply or ""
    on_its_way = f"of {plan.amount_display} on order {plan.order.order_id} is on its way."
    replayed = f"of {plan.amount_display} on order {plan.order.order_id} was already issued."
    if not (final.endswith(on_its_way) or (allow_replayed_refund and final.endswith(replayed))):
        problems.append(f"{name}: final reply {final!r} does not confirm the refund")
    if plan.ask_first and plan.order.order_id not in (outcome.results[0].reply or ""):
        problems.append(f"{name}: first reply {outcome.results[0].reply!r} misses the order")
    if outcome.approvals != int(plan.needs_approval):
        problems.append(f"{name}: {outcome.approvals} approvals, expected {plan.needs_approval:d}")
    kinds = [e.kind for e in outcome.transcript]
    expected = {
        "user_message": turns,
        "agent_message": turns,
        "approval_requested": int(plan.needs_approval),
        "approval_decision": int(plan.needs_approval),
        "turn_failed": 0,
    }
    for kind, count in expected.items():
        if kinds.count(kind) != count:
            problems.append(f"{name}: {kinds.count(kind)} {kind} entries, expected {count}")
    refund_calls = [
        e for e in outcome.transcript if e.kind == "tool_call" and e.tool == "issue_refund"
    ]
    if len(refund_calls) != 1:
        problems.append(f"{name}: {len(refund_calls)} issue_refund calls in the transcript")
    if problems:
        problems.append(f"{name}: transcript {transcript_lines(outcome)}")
    return problems


def transcript_lines(outcome: Outcome) -> list[str]:
    """The transcript, one short line an entry, for failure messages."""
    return [
        f"{e.turn}/{e.kind}/{e.agent or ''}/{e.tool or ''}: {e.text[:160]}"
        for e in outcome.transcript
    ]


def problem_workflows(problems: list[str], plans: list[ConversationPlan]) -> list[str]:
    """The workflow ids of the conversations the problems are about."""
    return [p.workflow_id for p in plans if any(p.workflow_id in problem for problem in problems)]


async def assert_no_problems(
    client: Client,
    problems: list[str],
    plans: list[ConversationPlan],
    *,
    seed: int,
    keep_in: Path,
) -> None:
    """Fail with every problem, keeping the histories of the conversations involved."""
    if problems:
        kept = await keep_histories(client, problem_workflows(problems, plans), keep_in)
        raise AssertionError(f"seed {seed} ({kept}):\n" + "\n".join(problems))


async def assert_outcomes(
    client: Client,
    outcomes: list[Outcome],
    before: StoreSnapshot,
    after: StoreSnapshot,
    plans: list[ConversationPlan],
    *,
    seed: int,
    keep_in: Path,
    allow_replayed_refund: bool = False,
) -> None:
    """Every conversation that ran went as planned and the store holds exactly its refunds.

    ``plans`` is everything planned (a run may stop before the last ones start); only the
    conversations in ``outcomes`` are judged.
    """
    problems = [
        p
        for o in outcomes
        for p in outcome_problems(o, allow_replayed_refund=allow_replayed_refund)
    ]
    problems += refund_problems(before, after, [o.plan for o in outcomes])
    await assert_no_problems(client, problems, plans, seed=seed, keep_in=keep_in)
