"""Workflow side: a conversation's state and its rules (what is accepted, waits, expires).

Nothing here runs agents or talks to Temporal beyond reading the time it is given, so update
validators can consult it freely and every transition is plain data manipulation.
"""

from __future__ import annotations

from datetime import datetime

from .._streaming.types import StreamLogState
from .approval_types import ApprovalDecision, ApprovalRecord, PendingApproval, ToolPolicy
from .approvals import (
    already_decided,
    check_decision,
    record_decision,
    record_default,
    record_policy,
)
from .message_checks import MAX_SENDER_CHARS, has_visible_text, sender_problem
from .transcript import approval_decided, approval_requested, turn_stopped
from .types import (
    ConversationConfig,
    ConversationPhase,
    ConversationSnapshot,
    ConversationStatus,
    SendMessage,
    StopTurn,
    TranscriptEntry,
    TurnResult,
    refusal,
)

_EMPTY_MESSAGE = "The message is empty: send some text."
_CLOSED_MESSAGE = "The conversation was closed before anyone approved this call, so it was not run."
_STOPPED_MESSAGE = "The turn was stopped before anyone approved this call, so it was not run."


class ConversationState:
    """The live state of one conversation run, restored from and saved to a snapshot."""

    def __init__(self, config: ConversationConfig, snapshot: ConversationSnapshot) -> None:
        self.config = config
        self.turn = snapshot.turn
        self.current_agent = snapshot.current_agent
        self.transcript = snapshot.transcript
        self.run = snapshot.pending_run
        self.policies = snapshot.tool_policies
        self.usage = snapshot.usage
        self.approvals_requested = snapshot.approvals_requested
        self.workflow_runs = snapshot.workflow_runs + 1
        self.turns_this_run = 0
        self.inbox: tuple[int, SendMessage] | None = None
        """An accepted message that the main loop has not started yet."""
        self.working = False
        """An agent run is in progress."""
        self.closing_reason: str | None = None
        self.closed = False
        self.outcome: TurnResult | None = None
        self.outcomes = 0
        """How many outcomes were published: handlers wait for the next one."""
        self.stop: StopTurn | None = None
        """A request to stop the turn in progress, until the turn has ended."""

    # -- Phase -----------------------------------------------------------------------------------

    def run_ready(self) -> bool:
        """A paused run has every decision it waits for and can resume."""
        return self.run is not None and not self.working and not self.run.undecided()

    def busy(self) -> bool:
        """The main loop has work: a message to answer or a run to resume."""
        return self.inbox is not None or self.working or self.run_ready()

    def phase(self) -> ConversationPhase:
        """Where the conversation stands, for the status query."""
        if self.closing_reason is not None:
            return "closed"
        if self.busy():
            return "running"
        if self.run is not None:
            return "awaiting_approval"
        return "idle"

    def undecided(self) -> list[PendingApproval]:
        """Approvals waiting for a decision."""
        return self.run.undecided() if self.run is not None else []

    # -- Messages --------------------------------------------------------------------------------

    def check_message(self, message: SendMessage) -> None:
        """Refuse a message that cannot be taken now, saying why and what to do."""
        if self.closing_reason is not None:
            raise refusal("ConversationClosed", "This conversation is closed: start a new one.")
        if not message.text.strip():
            raise refusal("EmptyMessage", _EMPTY_MESSAGE)
        limit = self.config.max_message_chars
        if len(message.text) > limit:
            raise refusal(
                "MessageTooLong",
                f"The message has {len(message.text):,} characters and the limit is {limit:,}: "
                "shorten it or send it in parts.",
            )
        if not has_visible_text(message.text):
            # Zero-width and format characters alone pass for text but say nothing. (Looked
            # for once the length is known to be within the limit.)
            raise refusal("EmptyMessage", _EMPTY_MESSAGE)
        if message.sender is not None and (problem := sender_problem(message.sender)):
            raise refusal(
                "InvalidSender",
                f"The message cannot be taken: {problem}. Send it with a sender name of at most "
                f"{MAX_SENDER_CHARS} printable characters, or none.",
            )
        if message.turn is not None and message.turn != self.turn + 1:
            raise refusal(
                "StaleTurn",
                f"The message was written for turn {message.turn}, but the next turn is "
                f"{self.turn + 1}: read the transcript and send it again with turn="
                f"{self.turn + 1}.",
            )
        waiting = self.undecided()
        if waiting:
            names = ", ".join(f"{a.id!r} ({a.tool})" for a in waiting)
            raise refusal(
                "AgentBusy",
                f"Turn {self.turn} is waiting for an operator to decide {names}: send the "
                "message once the agent has answered.",
            )
        if self.busy():
            raise refusal(
                "AgentBusy",
                f"The agent is still answering turn {self.turn}: wait for its reply, then send "
                "the message again.",
            )

    def accept_message(self, message: SendMessage, now: datetime) -> int:
        """Take a checked message as the next turn and hand it to the main loop."""
        self.turn += 1
        self.inbox = (self.turn, message)
        self.transcript.append(
            TranscriptEntry(
                turn=self.turn,
                kind="user_message",
                text=message.text,
                at=now,
                sender=message.sender,
            )
        )
        return self.turn

    def check_close(self) -> None:
        """Refuse to close a closed conversation or one in the middle of a run."""
        if self.closing_reason is not None:
            raise refusal("ConversationClosed", "This conversation is already closed.")
        if self.busy():
            raise refusal(
                "AgentBusy",
                f"The agent is still answering turn {self.turn}: close the conversation once "
                "it has answered.",
            )

    # -- Stopping a turn ---------------------------------------------------------------------

    def check_stop(self, request: StopTurn) -> None:
        """Refuse to stop when no turn is in progress, or when the one meant has ended."""
        if self.closing_reason is not None:
            raise refusal("ConversationClosed", "This conversation is closed.")
        if not request.operator.strip():
            raise refusal("InvalidDecision", "Say who stops the turn: the transcript records it.")
        if request.turn is not None and request.turn != self.turn:
            raise refusal(
                "NothingToStop",
                f"Turn {request.turn} has already ended (the conversation is at turn "
                f"{self.turn}): read its reply, then stop turn {self.turn} if you still want to.",
            )
        if not self.busy() and self.run is None:
            raise refusal(
                "NothingToStop",
                f"No turn is in progress: turn {self.turn} has already ended.",
            )

    def paused(self) -> bool:
        """A run waits for operator decisions and nothing runs meanwhile."""
        return self.run is not None and not self.working and bool(self.run.undecided())

    def end_stopped_turn(self, turn: int, agent: str, now: datetime) -> TurnResult:
        """Record that ``self.stop`` ended ``turn``, naming who stopped it in the transcript.

        Undecided approvals are rejected and the paused run (if any) is dropped.

        Returns:
            The turn's outcome (already published).
        """
        request = self.stop
        assert request is not None
        self.stop = None
        for approval in self.undecided():
            record = record_default(
                approval, "stopped", _STOPPED_MESSAGE, now, operator=request.operator
            )
            self.decide(approval, record)
        self.run = None
        self.transcript.append(turn_stopped(turn, request.operator, request.reason, agent, now))
        outcome = TurnResult(turn=turn, status="stopped", agent=agent, stopped_by=request.operator)
        self.publish(outcome)
        return outcome

    # -- Approvals -------------------------------------------------------------------------------

    def new_approval_id(self) -> str:
        """A fresh approval id, unique within the conversation."""
        self.approvals_requested += 1
        return f"approval-{self.approvals_requested}"

    def check_decision(self, decision: ApprovalDecision) -> PendingApproval:
        """The approval a decision answers, or the refusal that says why it cannot apply."""
        if self.closing_reason is not None:
            raise refusal("ConversationClosed", "This conversation is closed.")
        known = self.run is not None and any(
            a.id == decision.approval_id for a in self.run.approvals
        )
        if not known:
            # Decided, and its turn has moved on: say who was first rather than "unknown".
            for entry in reversed(self.transcript):
                if entry.approval_id == decision.approval_id and entry.decision is not None:
                    raise already_decided(entry.decision)
        return check_decision(self.run, decision)

    def request(self, approvals: list[PendingApproval], now: datetime) -> None:
        """Note new approvals; those whose tool has an "always" policy are decided at once."""
        for approval in approvals:
            self.transcript.append(approval_requested(approval))
            policy = self.policies.get(approval.tool)
            if policy is not None:
                self.decide(approval, record_policy(approval, policy, now))

    def decide_by_operator(self, decision: ApprovalDecision, now: datetime) -> None:
        """Apply a checked operator decision."""
        approval = check_decision(self.run, decision)
        self.decide(approval, record_decision(approval, decision, now))

    def decide(self, approval: PendingApproval, record: ApprovalRecord) -> None:
        """Record a decision in the approval and the transcript; "always" sets a policy."""
        approval.decision = record
        self.transcript.append(approval_decided(approval, record))
        if record.always and record.source == "operator":
            self.policies[approval.tool] = ToolPolicy(
                approve=record.approved,
                operator=record.operator,
                set_at=record.decided_at,
                approval_id=approval.id,
                model_message=record.model_message,
            )

    def seconds_to_next_expiry(self, now: datetime) -> float | None:
        """Time until the next undecided approval expires, or None if none can."""
        deadlines = [a.expires_at for a in self.undecided() if a.expires_at is not None]
        if not deadlines:
            return None
        # A zero or negative timeout would mean "no timeout" to wait_condition.
        return max((min(deadlines) - now).total_seconds(), 0.001)

    def expire(self, now: datetime) -> None:
        """Reject every approval whose time is up (the safe default)."""
        message = self.config.expired_approval_message
        for approval in self.undecided():
            if approval.expires_at is not None and approval.expires_at <= now:
                self.decide(approval, record_default(approval, "timeout", message, now))

    def close(self, now: datetime) -> None:
        """End the conversation: undecided approvals are rejected and their run dropped."""
        for approval in self.undecided():
            self.decide(approval, record_default(approval, "closed", _CLOSED_MESSAGE, now))
        self.run = None
        self.transcript.append(
            TranscriptEntry(turn=self.turn, kind="closed", text=self.closing_reason or "", at=now)
        )
        self.closed = True

    # -- Outcomes and views ----------------------------------------------------------------------

    def publish(self, outcome: TurnResult) -> None:
        """Make ``outcome`` the answer of the handlers waiting for the next one."""
        self.outcome = outcome
        self.outcomes += 1

    def awaiting(self, agent: str) -> TurnResult:
        """The result of a turn paused for approvals."""
        return TurnResult(
            turn=self.run.turn if self.run else self.turn,
            status="awaiting_approval",
            agent=agent,
            pending_approvals=self.undecided(),
        )

    def status(self, agent: str) -> ConversationStatus:
        """The status query's answer."""
        return ConversationStatus(
            phase=self.phase(),
            turn=self.turn,
            next_turn=self.turn + 1,
            current_agent=agent,
            pending_approvals=self.undecided(),
            transcript_length=len(self.transcript),
            workflow_runs=self.workflow_runs,
            usage=self.usage.total,
        )

    def snapshot(
        self,
        context: object,
        session_items: list[dict[str, object]],
        stream: StreamLogState | None = None,
    ) -> ConversationSnapshot:
        """Everything the next run needs."""
        return ConversationSnapshot(
            turn=self.turn,
            current_agent=self.current_agent,
            context=context,
            session_items=session_items,
            transcript=self.transcript,
            pending_run=self.run,
            tool_policies=self.policies,
            usage=self.usage,
            approvals_requested=self.approvals_requested,
            workflow_runs=self.workflow_runs,
            stream=stream,
        )
