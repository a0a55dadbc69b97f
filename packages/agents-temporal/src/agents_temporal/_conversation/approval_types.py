"""Both sides: the data of tool approvals (what waits, what an operator decides, the record)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal, cast

import jsonschema
from jsonschema import validators
from pydantic import (
    BaseModel,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)
from temporalio import workflow
from temporalio.exceptions import ApplicationError

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


def _is_integer(checker: Any, instance: object) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


_STRICT_VALIDATOR = cast(
    Any,
    validators.extend(
        jsonschema.Draft202012Validator,
        type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
    ),
)
"""JSON Schema 2020-12, except that ``integer`` means a JSON integer: the draft also accepts
``60000.0``, which a tool that reads whole cents (or a guardrail that checks them) may not."""


class ApprovalContext(BaseModel):
    """What an operator should know to decide an approval, in the app's own terms.

    A conversation workflow gives it with ``ConversationWorkflow.describe_approval``; consoles
    show it on the approval's card above the raw arguments.
    """

    summary: str
    """One sentence: what the call would do (``Refund $150.00 of order ORD-10042``)."""

    facts: dict[str, str] = Field(default_factory=dict[str, str])
    """Labelled facts, in the order to show them (``{"Order total": "$189.00"}``)."""


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

    context: ApprovalContext | None = None
    """What the app says an operator should know (``describe_approval``), if anything."""

    def argument_problems(self, arguments: dict[str, Any]) -> list[str]:
        """Why the tool's schema refuses ``arguments`` as edited arguments (empty: it accepts).

        Each problem names the place (``request/amount_cents``) and what is wrong, so a client
        can check an operator's edit before sending it; the conversation applies the same
        check when the decision arrives.
        """
        if self.parameters_schema is None:
            return []
        validator = _STRICT_VALIDATOR(self.parameters_schema)
        errors = sorted(validator.iter_errors(arguments), key=lambda e: list(e.absolute_path))
        return [
            f"{'/'.join(str(p) for p in e.absolute_path) or '(arguments)'}: {e.message}"
            for e in errors
        ]

    def editable_arguments(self) -> dict[str, Any]:
        """The model's arguments with every property of the tool's schema present.

        Models leave out optional properties, but a strict tool schema lists every property as
        required (optional ones as nullable), so arguments sent back as they came would be
        refused. Missing properties get their schema default, or null where null is allowed,
        so an operator who edits one value sends arguments the tool accepts.
        """
        try:
            value: Any = json.loads(self.arguments or "{}")
        except ValueError:
            return {}
        if not isinstance(value, dict):
            return {}
        completed = _complete(cast(dict[str, Any], value), self.parameters_schema or {})
        return cast(dict[str, Any], completed)


class ApprovalDecision(BaseModel):
    """An operator's answer to a pending approval, sent by Temporal update."""

    approval_id: str
    """The ``PendingApproval.id`` this decides."""

    approve: bool
    """Run the tool call (True) or refuse it (False); a JSON boolean, nothing else."""

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

    @field_validator("approve", mode="before")
    @classmethod
    def _a_boolean(cls, value: Any) -> Any:
        # Lax pydantic reads "yes", "no", 1 and "off" as booleans: a decision to pay money
        # must say true or false, not something that happens to convert.
        if not isinstance(value, bool):
            raise ValueError(f"'approve' must be true or false, not {type(value).__name__}")
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _readable(cls, data: Any, handler: ModelWrapValidatorHandler[ApprovalDecision]) -> Any:
        try:
            return handler(data)
        except ValidationError as error:
            # In the workflow (decoding a decide_approval update) this refuses the update with
            # one message that does not echo the input; clients keep pydantic's error, raised
            # where the decision is made.
            if not workflow.in_workflow():
                raise
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}"
                for e in error.errors(include_url=False, include_input=False)[:5]
            )
            raise ApplicationError(
                f"The decision cannot be read ({problems}): send approve as true or false.",
                type="InvalidDecision",
                non_retryable=True,
            ) from None


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


def _complete(value: Any, schema: dict[str, Any]) -> Any:
    """``value`` with the properties its object schema names but it lacks, filled in."""
    if not isinstance(value, dict):
        return value
    mapping = dict(cast(dict[str, Any], value))
    properties = cast(dict[str, Any], schema.get("properties") or {})
    for name, raw in properties.items():
        prop = _resolve(cast(dict[str, Any], raw) if isinstance(raw, dict) else {}, schema)
        if name in mapping:
            mapping[name] = _complete(mapping[name], prop)
        elif "default" in prop:
            mapping[name] = prop["default"]
        elif _allows_null(prop):
            mapping[name] = None
    return mapping


def _resolve(prop: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A property's schema, following a local ``$ref`` into the same schema's ``$defs``."""
    ref = prop.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        defs = cast(dict[str, Any], schema.get("$defs") or {})
        target = defs.get(ref.removeprefix("#/$defs/"))
        if isinstance(target, dict):
            # Nested objects resolve their own references against the same definitions.
            return {"$defs": defs, **cast(dict[str, Any], target)}
    if "$defs" in schema and "$defs" not in prop:
        return {"$defs": schema["$defs"], **prop}
    return prop


def _allows_null(prop: dict[str, Any]) -> bool:
    kind = prop.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    options = cast(list[Any], prop.get("anyOf") or prop.get("oneOf") or [])
    return any(
        isinstance(option, dict) and cast(dict[str, Any], option).get("type") == "null"
        for option in options
    )
