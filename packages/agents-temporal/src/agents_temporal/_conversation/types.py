"""Both sides: the data a conversation workflow exchanges with clients and carries on."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field
from temporalio.exceptions import ApplicationError

from .._streaming.types import StreamLogState
from .approval_types import ApprovalRecord, PendingApproval, PendingRun, ToolPolicy
from .usage import UsageReport, UsageTotals

SEND_MESSAGE = "send_message"
"""Update that sends a user message (``SendMessage`` -> ``TurnResult``)."""
DECIDE_APPROVAL = "decide_approval"
"""Update that answers a pending approval (``ApprovalDecision`` -> ``TurnResult``)."""
CLOSE_CONVERSATION = "close_conversation"
"""Update that ends the conversation (reason text -> ``ConversationSummary``)."""
STATUS = "status"
"""Query: ``ConversationStatus``."""
TRANSCRIPT = "transcript"
"""Query: ``list[TranscriptEntry]`` from an index on."""
PENDING_APPROVALS = "pending_approvals"
"""Query: ``list[PendingApproval]`` still undecided."""
USAGE = "usage"
"""Query: ``UsageReport``."""

RefusalReason = Literal[
    "EmptyMessage",
    "MessageTooLong",
    "StaleTurn",
    "AgentBusy",
    "ConversationClosed",
    "UnknownApproval",
    "AlreadyDecided",
    "InvalidDecision",
    "InvalidArguments",
]
"""Why an update was refused; the ``type`` of the ``ApplicationError`` the client receives."""

REFUSAL_REASONS: frozenset[str] = frozenset(get_args(RefusalReason))


def refusal(reason: RefusalReason, message: str) -> ApplicationError:
    """The error an update validator raises to refuse an update."""
    return ApplicationError(message, type=reason, non_retryable=True)


class ConversationConfig(BaseModel):
    """How a conversation behaves; fixed when it starts and kept across continue-as-new."""

    max_message_chars: int = 8000
    """Longest user message accepted, in characters."""

    approval_timeout: timedelta | None = timedelta(hours=24)
    """How long an approval may wait before it is rejected automatically; None waits forever."""

    expired_approval_message: str = (
        "Nobody approved this call in time, so it was not run. Tell the user that it needs an "
        "operator's approval and can be tried again later."
    )
    """What the model is told when an approval expires."""

    continue_as_new_after_turns: int | None = None
    """Continue as new once this many turns ran in the current workflow run (besides when
    Temporal suggests it). Mostly for tests; None leaves it to Temporal."""

    continue_as_new_after_events: int | None = None
    """Continue as new once the run's history has this many events; None leaves it to
    Temporal's suggestion."""

    max_agent_turns: int = 10
    """The Agents SDK's ``max_turns`` for each run (model calls between two user messages)."""

    keep_usage_calls: int = 1000
    """How many recent model calls the usage report lists (its sums cover every call)."""


class SendMessage(BaseModel):
    """A user message for the ``send_message`` update."""

    text: str
    """What the user wrote."""

    turn: int | None = None
    """The turn this message opens (``ConversationStatus.next_turn`` as the sender saw it). A
    message written against an older view of the conversation is refused; None skips the
    check."""

    sender: str | None = None
    """Who wrote it, for the transcript."""


TurnStatus = Literal["completed", "awaiting_approval", "failed"]


class TurnResult(BaseModel):
    """Where a turn stands after a message or a decision."""

    turn: int
    """The turn."""

    status: TurnStatus
    """Answered, paused for approvals, or failed."""

    agent: str
    """The agent that holds the conversation now."""

    reply: str | None = None
    """The agent's answer, when completed (structured outputs as JSON)."""

    error: str | None = None
    """What went wrong, when failed."""

    pending_approvals: list[PendingApproval] = Field(default_factory=list[PendingApproval])
    """Approvals the turn waits for, when paused."""


ConversationPhase = Literal["idle", "running", "awaiting_approval", "closed"]


class ConversationStatus(BaseModel):
    """What the ``status`` query returns."""

    phase: ConversationPhase
    """Idle (ready for a message), running a turn, waiting for approvals, or closed."""

    turn: int
    """The newest turn (0 before the first message)."""

    next_turn: int
    """The turn the next message opens: send it as ``SendMessage.turn``."""

    current_agent: str
    """The agent that answers the next message."""

    pending_approvals: list[PendingApproval]
    """Approvals waiting for a decision."""

    transcript_length: int
    """Entries in the transcript."""

    workflow_runs: int
    """Workflow runs the conversation has used (1 + times it continued as new)."""

    usage: UsageTotals
    """Tokens used so far."""


TranscriptKind = Literal[
    "user_message",
    "agent_message",
    "tool_call",
    "tool_output",
    "handoff",
    "approval_requested",
    "approval_decision",
    "turn_failed",
    "closed",
]


class TranscriptEntry(BaseModel):
    """One event of the conversation, for people to read."""

    turn: int
    """The turn it belongs to."""

    kind: TranscriptKind
    """What happened."""

    text: str
    """The message, tool output, or a sentence describing the event."""

    at: datetime
    """When the workflow recorded it."""

    agent: str | None = None
    """The agent involved."""

    sender: str | None = None
    """For user messages, who sent it."""

    tool: str | None = None
    """For tool events and approvals, the tool."""

    arguments: str | None = None
    """For tool calls and approval requests, the arguments as JSON text."""

    approval_id: str | None = None
    """For approval events, the approval."""

    decision: ApprovalRecord | None = None
    """For approval decisions, the full record (operator, time, edits, message)."""


class ConversationSnapshot(BaseModel):
    """Everything a conversation carries into its next run when it continues as new."""

    turn: int
    """The newest turn."""

    current_agent: str | None
    """Name of the agent that answers the next message (None: the starting agent)."""

    context: Any
    """The run context as JSON data."""

    session_items: list[dict[str, Any]]
    """The ``WorkflowSession``'s items."""

    transcript: list[TranscriptEntry]
    """The transcript so far."""

    pending_run: PendingRun | None
    """A run paused for approvals, with its serialized ``RunState``."""

    tool_policies: dict[str, ToolPolicy]
    """"Always approve" and "always reject" decisions, by tool name."""

    usage: UsageReport
    """Token usage so far."""

    approvals_requested: int
    """Approvals requested so far (the next approval id follows from it)."""

    workflow_runs: int
    """Workflow runs used so far."""

    stream: StreamLogState | None = None
    """The stream event log's durable events and next offset."""


class ConversationInput(BaseModel):
    """Starts a conversation workflow, or continues one in a new run."""

    config: ConversationConfig = Field(default_factory=ConversationConfig)
    """How the conversation behaves."""

    context: Any = None
    """The initial run context as JSON data (or an object pydantic can dump); the workflow
    validates it into its ``context_type``."""

    snapshot: ConversationSnapshot | None = None
    """Set by the workflow when it continues as new; callers leave it None."""


class ConversationSummary(BaseModel):
    """What a closed conversation returns."""

    turns: int
    """Turns taken."""

    last_agent: str
    """The agent that held the conversation at the end."""

    reason: str | None
    """Why it was closed."""

    usage: UsageTotals
    """Tokens used in total."""

    workflow_runs: int
    """Workflow runs it used."""
