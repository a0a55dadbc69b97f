"""Both sides: the data of tool approvals (what waits, what an operator decides, the record)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

ApprovalSource = Literal["operator", "policy", "timeout", "closed", "stopped"]
"""Where a decision came from: an operator, an earlier "always" decision, the approval timeout,
the conversation closing while the approval waited, or someone stopping the turn."""


class ApprovalRecord(BaseModel):
    """A decision as it was applied: who, when, what, and what the model was told."""

    approval_id: str
    """The approval decided."""

    tool: str
    """The tool whose call was decided."""

    approved: bool
    """Whether the call ran."""

    operator: str
    """Who decided (for ``policy`` decisions, who set the policy; for ``stopped`` ones, who
    stopped the turn; ``timeout`` and ``closed`` decisions name the system)."""

    source: ApprovalSource
    """Where the decision came from."""

    decided_at: datetime
    """When it was decided (``workflow.now()``)."""

    reason: str | None = None
    """The operator's reason."""

    model_message: str | None = None
    """For rejections, what the model was told."""

    edited_arguments: dict[str, Any] | None = None
    """Arguments the operator substituted for the model's."""

    always: bool = False
    """Whether the decision became the tool's policy for the rest of the conversation."""


class PendingApproval(BaseModel):
    """A tool call that waits for a human decision."""

    id: str
    """Identifies the approval within its conversation; decisions name it."""

    call_id: str
    """The model's id for the tool call."""

    tool: str
    """Name of the tool the model wants to call."""

    arguments: str
    """The call's arguments, as the JSON text the model produced."""

    agent: str
    """Name of the agent that made the call."""

    turn: int
    """Conversation turn the call belongs to."""

    requested_at: datetime
    """When the run paused for this approval."""

    expires_at: datetime | None = None
    """When the call is rejected automatically if nobody decides; None waits forever."""

    parameters_schema: dict[str, Any] | None = None
    """The tool's JSON schema for its arguments (edited arguments must match it), when known."""

    decision: ApprovalRecord | None = None
    """The decision, once made (the run resumes when every approval of the turn has one)."""


class ApprovalDecision(BaseModel):
    """An operator's answer to a pending approval, sent by Temporal update."""

    approval_id: str
    """The ``PendingApproval.id`` this decides."""

    approve: bool
    """Run the tool call (True) or refuse it (False)."""

    operator: str
    """Who decides (a user name or service identity); recorded with the decision."""

    reason: str | None = None
    """Why, for the record and the transcript."""

    message: str | None = None
    """On rejection, what the model is told instead of the tool's output. Defaults to a message
    built from ``reason``."""

    arguments: dict[str, Any] | None = None
    """On approval, arguments that replace the model's; they must match the tool's schema."""

    always: bool = False
    """Apply the same decision to every later call of this tool in the conversation (edited
    arguments are not repeated: later calls run with their own arguments)."""


class ToolPolicy(BaseModel):
    """An "always approve" or "always reject" decision for one tool."""

    approve: bool
    """Approve (True) or reject (False) every later call."""

    operator: str
    """Who set the policy."""

    set_at: datetime
    """When it was set."""

    approval_id: str
    """The decision that set it."""

    model_message: str | None = None
    """For "always reject", what the model is told each time."""


class PendingRun(BaseModel):
    """An agent run paused for approvals: its serialized ``RunState`` and what it waits for."""

    turn: int
    """The turn the run belongs to."""

    state: dict[str, Any]
    """``RunState.to_json()`` of the paused run (the run context itself is kept separately)."""

    items_seen: int
    """How many of the run's items are already in the transcript (a resumed run reports its
    earlier items again)."""

    session_length: int
    """Session items before the turn began; a turn that fails is rolled back to them, so the
    model never sees half a turn (such as a tool call without its output)."""

    approvals: list[PendingApproval] = Field(default_factory=list[PendingApproval])
    """The approvals the run waits for, decided or not."""

    approvals_before: int = 0
    """Approvals the same turn asked for before this pause (they count towards
    ``ConversationConfig.max_approvals_per_turn``)."""

    def undecided(self) -> list[PendingApproval]:
        """The approvals still without a decision."""
        return [a for a in self.approvals if a.decision is None]
