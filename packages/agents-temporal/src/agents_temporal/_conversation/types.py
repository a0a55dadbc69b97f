"""Both sides: the data a conversation workflow exchanges with clients and carries on."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final, Literal, cast, get_args

from pydantic import (
    BaseModel,
    Field,
    ModelWrapValidatorHandler,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_serializer,
    model_validator,
)
from temporalio import workflow
from temporalio.exceptions import ApplicationError

from .._streaming.types import StreamLogState
from .approval_types import ApprovalRecord, PendingApproval, PendingRun, ToolPolicy
from .usage_types import UsageReport, UsageTotals

SEND_MESSAGE = "send_message"
"""Update that sends a user message (``SendMessage`` -> ``TurnResult``)."""
DECIDE_APPROVAL = "decide_approval"
"""Update that answers a pending approval (``ApprovalDecision`` -> ``TurnResult``)."""
CLOSE_CONVERSATION = "close_conversation"
"""Update that ends the conversation (reason text -> ``ConversationSummary``)."""
STOP_TURN = "stop_turn"
"""Update that stops the turn in progress (``StopTurn`` -> ``TurnResult``)."""
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
    "InvalidSender",
    "StaleTurn",
    "AgentBusy",
    "ConversationClosed",
    "UnknownApproval",
    "AlreadyDecided",
    "InvalidDecision",
    "InvalidArguments",
    "InvalidConversationInput",
    "NothingToStop",
    "CannotStop",
]
"""Why an update was refused; the ``type`` of the ``ApplicationError`` the client receives."""

REFUSAL_REASONS: frozenset[str] = frozenset(get_args(RefusalReason))

INVALID_INPUT: Final = "InvalidConversationInput"
"""The ``ApplicationError`` type of a conversation that refused its start input."""


def refusal(reason: RefusalReason, message: str) -> ApplicationError:
    """The error an update validator raises to refuse an update."""
    return ApplicationError(message, type=reason, non_retryable=True)


class ConversationConfig(BaseModel):
    """How a conversation behaves; fixed when it starts and kept across continue-as-new.

    The workflow class holds the config it allows (``ConversationWorkflow.conversation_config``,
    set by the app). A client starting a conversation may only tighten it: each limit it sets
    in ``ConversationInput.config`` counts when it is stricter than the workflow's, and only the
    fields it set explicitly travel (see ``tightened_by``).
    """

    max_message_chars: int = 8000
    """Longest user message accepted, in characters."""

    approval_timeout: timedelta | None = timedelta(hours=24)
    """How long an approval may wait before it is rejected automatically; None waits forever."""

    expired_approval_message: str = (
        "Nobody approved this call in time, so it was not run. Tell the user that it needs an "
        "operator's approval and can be tried again later."
    )
    """What the model is told when an approval expires (only the workflow sets it)."""

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

    max_approvals_per_turn: int = 20
    """Most tool calls one turn may ask approval for; a turn that asks for more fails, and the
    calls waiting for approval do not run. Each approval is work for the workflow and for an
    operator, so a model talked into asking for hundreds is stopped early."""

    max_context_bytes: int = 64 * 1024
    """Largest run context a client may start the conversation with, in bytes of JSON."""

    def problems(self) -> list[str]:
        """What is wrong with these values, one sentence each (none when they are usable)."""
        found = [
            f"{name} must be at least {least}, got {value}"
            for name, value, least in (
                ("max_message_chars", self.max_message_chars, 1),
                ("max_agent_turns", self.max_agent_turns, 1),
                ("keep_usage_calls", self.keep_usage_calls, 0),
                ("max_approvals_per_turn", self.max_approvals_per_turn, 0),
                ("max_context_bytes", self.max_context_bytes, 0),
                ("continue_as_new_after_turns", self.continue_as_new_after_turns, 1),
                ("continue_as_new_after_events", self.continue_as_new_after_events, 1),
            )
            if value is not None and value < least
        ]
        if self.approval_timeout is not None and self.approval_timeout <= timedelta(0):
            found.append(f"approval_timeout must be positive or None, got {self.approval_timeout}")
        return found

    def tightened_by(self, requested: ConversationConfig) -> ConversationConfig:
        """This config with every limit ``requested`` sets made stricter, never looser.

        Each limit becomes the lower of the two (None counts as no limit), so a client can ask
        for shorter messages or sooner continue-as-new, but never for more than the workflow
        allows. Fields ``requested`` did not set keep this config's value.

        Raises:
            ValueError: ``requested`` has unusable values, or sets what only the workflow sets.
        """
        problems = requested.problems()
        if (
            "expired_approval_message" in requested.model_fields_set
            and requested.expired_approval_message != self.expired_approval_message
        ):
            problems.append(
                "expired_approval_message is what the model is told, which only the workflow "
                "sets: leave it out"
            )
        if problems:
            raise ValueError("; ".join(problems))
        chosen = requested.model_fields_set
        values = self.model_dump()
        for name in chosen & _LIMITS:
            values[name] = _stricter(values[name], getattr(requested, name))
        # Built with every field set, so that the whole config travels across continue-as-new.
        return ConversationConfig(**values)


_LIMITS = frozenset(
    {
        "max_message_chars",
        "approval_timeout",
        "continue_as_new_after_turns",
        "continue_as_new_after_events",
        "max_agent_turns",
        "keep_usage_calls",
        "max_approvals_per_turn",
        "max_context_bytes",
    }
)
"""The fields a client may tighten; the others only the workflow sets."""


def _stricter(allowed: Any, requested: Any) -> Any:
    # None means "no limit" for every limit that may be None.
    if requested is None:
        return allowed
    if allowed is None:
        return requested
    return min(allowed, requested)


class SendMessage(BaseModel):
    """A user message for the ``send_message`` update."""

    text: str
    """What the user wrote."""

    turn: int | None = None
    """The turn this message opens (``ConversationStatus.next_turn`` as the sender saw it). A
    message written against an older view of the conversation is refused; None skips the
    check."""

    sender: str | None = None
    """Who wrote it, for the transcript: at most 200 printable characters, not blank."""


class StopTurn(BaseModel):
    """A request to stop the turn in progress, for the ``stop_turn`` update."""

    operator: str
    """Who stops it (a user name or service identity); the transcript names them."""

    reason: str | None = None
    """Why, for the transcript."""

    turn: int | None = None
    """The turn to stop (``ConversationStatus.turn`` as the sender saw it). A request for a
    turn that already ended is refused, so a late click never stops the next turn; None stops
    whichever turn is in progress."""


TurnStatus = Literal["completed", "awaiting_approval", "failed", "stopped"]


class TurnResult(BaseModel):
    """Where a turn stands after a message or a decision."""

    turn: int
    """The turn."""

    status: TurnStatus
    """Answered, paused for approvals, failed, or stopped by someone."""

    agent: str
    """The agent that holds the conversation now."""

    reply: str | None = None
    """The agent's answer, when completed (structured outputs as JSON)."""

    error: str | None = None
    """What went wrong, when failed."""

    stopped_by: str | None = None
    """Who stopped the turn, when stopped."""

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
    "turn_stopped",
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
    """For user messages, who sent it; for a stopped turn, who stopped it."""

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
    """Starts a conversation workflow, or continues one in a new run.

    Everything in it comes from whoever starts the conversation, so the workflow checks all of
    it: the config may only tighten the workflow's own, the context has a size limit, and a
    snapshot is refused unless the run was started by continue-as-new.
    """

    config: ConversationConfig = Field(default_factory=ConversationConfig)
    """Limits stricter than the workflow's, if any (only the fields set explicitly count)."""

    context: Any = None
    """The initial run context as JSON data (or an object pydantic can dump); the workflow
    validates it into its ``context_type``. At most ``max_context_bytes`` of JSON."""

    snapshot: ConversationSnapshot | None = None
    """Set by the workflow when it continues as new; a conversation started with one fails."""

    @model_validator(mode="wrap")
    @classmethod
    def _readable(cls, data: Any, handler: ModelWrapValidatorHandler[ConversationInput]) -> Any:
        try:
            return handler(data)
        except ValidationError as error:
            # A worker decodes the start input in the workflow's sandbox, before the workflow's
            # event loop runs (so in_workflow() is still false). There, a ValidationError would
            # fail the workflow task again and again; an ApplicationError fails the workflow at
            # once, saying what is wrong without echoing the input. (A worker without the
            # sandbox keeps the ValidationError.) Clients keep pydantic's error.
            if not (workflow.in_workflow() or workflow.unsafe.in_sandbox()):
                raise
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}"
                for e in error.errors(include_url=False, include_input=False)[:5]
            )
            raise ApplicationError(
                f"This conversation cannot start: its input is not a ConversationInput "
                f"({problems}).",
                type=INVALID_INPUT,
                non_retryable=True,
            ) from None

    @field_serializer("config", mode="wrap")
    def _chosen_config(
        self, config: ConversationConfig, handler: SerializerFunctionWrapHandler
    ) -> Any:
        # Only the limits the sender chose travel: a default it never set must not tighten a
        # workflow that allows more than the defaults.
        dumped = handler(config)
        if isinstance(dumped, dict):
            chosen = config.model_fields_set
            return {k: v for k, v in cast(dict[str, Any], dumped).items() if k in chosen}
        return dumped


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
