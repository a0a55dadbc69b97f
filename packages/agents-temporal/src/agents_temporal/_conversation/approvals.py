"""Workflow side: tool approvals captured, checked, edited and applied on a RunState."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from agents import Agent, FunctionTool, RunState, ToolApprovalItem, TResponseInputItem
from temporalio.exceptions import ApplicationError

from .approval_types import (
    ApprovalDecision,
    ApprovalRecord,
    PendingApproval,
    PendingRun,
    ToolPolicy,
)
from .session import WorkflowSession
from .types import refusal

SYSTEM_OPERATOR_PREFIX = "system:"
"""Decisions the conversation makes itself are recorded as ``system:<source>``; operators
may not use such a name."""

MAX_OPERATOR_CHARS = 200
"""The longest operator name a decision may carry."""


def tool_parameters_schema(agent: Agent[Any], tool_name: str) -> dict[str, Any] | None:
    """The JSON schema of ``agent``'s function tool ``tool_name``, if it has one."""
    for tool in agent.tools:
        if isinstance(tool, FunctionTool) and tool.name == tool_name:
            return copy.deepcopy(tool.params_json_schema)
    return None


def capture_approvals(
    interruptions: Sequence[ToolApprovalItem],
    *,
    turn: int,
    now: datetime,
    timeout: timedelta | None,
    new_id: Callable[[], str],
) -> list[PendingApproval]:
    """Plain-data records of the tool calls a paused run waits for."""
    pending: list[PendingApproval] = []
    for item in interruptions:
        tool = item.tool_name or item.name or "tool"
        agent = item.agent
        pending.append(
            PendingApproval(
                id=new_id(),
                call_id=item.call_id or "",
                tool=tool,
                arguments=item.arguments or "{}",
                agent=agent.name,
                turn=turn,
                requested_at=now,
                expires_at=now + timeout if timeout is not None else None,
                parameters_schema=tool_parameters_schema(agent, tool),
            )
        )
    return pending


def _list_pending(run: PendingRun | None) -> str:
    waiting = run.undecided() if run is not None else []
    if not waiting:
        return "there are no pending approvals"
    return "pending approvals: " + ", ".join(f"{a.id!r} ({a.tool})" for a in waiting)


def already_decided(record: ApprovalRecord) -> ApplicationError:
    """The refusal of a decision on an approval that already has one: who decided, and when."""
    verb = "approved" if record.approved else "rejected"
    what = f"Approval {record.approval_id!r} ({record.tool})"
    when = record.decided_at.isoformat()
    if record.source == "timeout":
        # An operator who acts on an expired card must learn that it expired, not only that
        # a system name decided it.
        return refusal(
            "AlreadyDecided",
            f"{what} expired at {when}: nobody decided it in time, so it was rejected "
            f"automatically (recorded as {record.operator!r}).",
        )
    because = f" ({record.reason})" if record.source != "operator" and record.reason else ""
    return refusal(
        "AlreadyDecided",
        f"{what} was already {verb} by {record.operator!r} at {when}{because}.",
    )


def check_decision(run: PendingRun | None, decision: ApprovalDecision) -> PendingApproval:
    """The approval ``decision`` answers, or the refusal that says why it cannot apply."""
    approval = (
        next((a for a in run.approvals if a.id == decision.approval_id), None) if run else None
    )
    if approval is None:
        raise refusal(
            "UnknownApproval",
            f"No pending approval {decision.approval_id!r}: {_list_pending(run)}. "
            "Query pending_approvals for the current ids.",
        )
    if approval.decision is not None:
        raise already_decided(approval.decision)
    operator = decision.operator.strip()
    if not operator:
        raise refusal(
            "InvalidDecision",
            "The decision has no operator: say who decides (a user name or service identity).",
        )
    if operator.lower().startswith(SYSTEM_OPERATOR_PREFIX):
        # The conversation records its own decisions (expiry, closing) under these names; an
        # operator's decision must never pass for one.
        raise refusal(
            "InvalidDecision",
            f"Operator names starting with {SYSTEM_OPERATOR_PREFIX!r} are reserved for the "
            "conversation's own decisions: decide under your own name.",
        )
    if len(operator) > MAX_OPERATOR_CHARS or not operator.isprintable():
        raise refusal(
            "InvalidDecision",
            f"The operator name must be at most {MAX_OPERATOR_CHARS} printable characters.",
        )
    if decision.arguments is not None:
        if not decision.approve:
            raise refusal(
                "InvalidDecision",
                "Edited arguments apply only when approving: drop 'arguments' to reject.",
            )
        check_arguments(approval, decision.arguments)
    return approval


def check_arguments(approval: PendingApproval, arguments: dict[str, Any]) -> None:
    """Refuse edited arguments that the tool's JSON schema does not accept."""
    problems = approval.argument_problems(arguments)
    if problems:
        details = "; ".join(problems)
        raise refusal(
            "InvalidArguments",
            f"The edited arguments do not match the schema of tool {approval.tool!r}: {details}. "
            "Send arguments that match approval.parameters_schema.",
        )


def rejection_message(tool: str, reason: str | None) -> str:
    """What the model is told when an operator rejects a call without a message of their own."""
    because = f" Reason: {reason}" if reason else ""
    return f"An operator rejected this call to {tool!r}, so it was not run.{because}"


def record_decision(
    approval: PendingApproval, decision: ApprovalDecision, now: datetime
) -> ApprovalRecord:
    """The record of an operator's decision on ``approval``."""
    message = None
    if not decision.approve:
        message = decision.message or rejection_message(approval.tool, decision.reason)
    return ApprovalRecord(
        approval_id=approval.id,
        tool=approval.tool,
        approved=decision.approve,
        operator=decision.operator,
        source="operator",
        decided_at=now,
        reason=decision.reason,
        model_message=message,
        edited_arguments=decision.arguments,
        always=decision.always,
    )


def record_policy(approval: PendingApproval, policy: ToolPolicy, now: datetime) -> ApprovalRecord:
    """The record of a decision taken by an earlier "always" decision."""
    return ApprovalRecord(
        approval_id=approval.id,
        tool=approval.tool,
        approved=policy.approve,
        operator=policy.operator,
        source="policy",
        decided_at=now,
        reason=f"always {'approve' if policy.approve else 'reject'} (set by {policy.approval_id})",
        model_message=None if policy.approve else policy.model_message,
    )


def record_default(
    approval: PendingApproval,
    source: Literal["timeout", "closed", "stopped"],
    message: str,
    now: datetime,
    operator: str | None = None,
) -> ApprovalRecord:
    """The record of the safe default (rejection) applied without an operator's decision.

    ``operator`` is who caused it, when someone did (who stopped the turn).
    """
    return ApprovalRecord(
        approval_id=approval.id,
        tool=approval.tool,
        approved=False,
        operator=operator or f"{SYSTEM_OPERATOR_PREFIX}{source}",
        source=source,
        decided_at=now,
        reason=_DEFAULT_REASONS[source],
        model_message=message,
    )


_DEFAULT_REASONS = {
    "timeout": "nobody decided before the approval timeout",
    "closed": "the conversation was closed",
    "stopped": "the turn was stopped",
}


def replace_call_arguments(node: Any, call_id: str, arguments: str) -> int:
    """Set the arguments of every function call ``call_id`` in JSON data; return how many."""
    count = 0
    if isinstance(node, dict):
        mapping = cast(dict[str, Any], node)
        if (
            mapping.get("type") == "function_call"
            and mapping.get("call_id") == call_id
            and "arguments" in mapping
        ):
            mapping["arguments"] = arguments
            count += 1
        for value in mapping.values():
            count += replace_call_arguments(value, call_id, arguments)
    elif isinstance(node, list):
        for value in cast(list[Any], node):
            count += replace_call_arguments(value, call_id, arguments)
    return count


def with_edited_arguments(state: dict[str, Any], call_id: str, arguments: str) -> dict[str, Any]:
    """A copy of a serialized RunState in which tool call ``call_id`` has new arguments.

    The Agents SDK (0.24) has no way to approve a call with other arguments, and binds each
    pending call to a fingerprint of its arguments so that an approval cannot be replayed onto
    a different call. Editing is a deliberate, operator-approved change made before any
    decision exists, so the call is rewritten everywhere the state mentions it and its stale
    binding is dropped; approving the edited call then binds the new arguments.
    """
    edited = copy.deepcopy(state)
    replace_call_arguments(edited, call_id, arguments)
    context = cast(dict[str, Any], edited.get("context") or {})
    invocations = cast(dict[str, Any], context.get("tool_invocations") or {})
    invocations.pop(call_id, None)
    return edited


def apply_decisions(state: RunState[Any, Any], approvals: Sequence[PendingApproval]) -> None:
    """Approve or reject each interruption of ``state`` as its approval was decided.

    An interruption without a decided approval (which a consistent state never has) is
    rejected: running a tool nobody approved is never the safe default.
    """
    by_call = {a.call_id: a for a in approvals}
    for item in state.get_interruptions():
        approval = by_call.get(item.call_id or "")
        record = approval.decision if approval is not None else None
        if record is not None and record.approved:
            state.approve(item)
        else:
            message = record.model_message if record is not None else None
            state.reject(
                item,
                rejection_message=message or rejection_message(item.tool_name or "tool", None),
            )


async def apply_edits(run: PendingRun, session: WorkflowSession) -> dict[str, Any]:
    """The paused run's state with the operators' edited arguments, which the session gets too.

    The session already holds each call as the model made it; from now on the model must see
    the arguments that actually ran.
    """
    state = run.state
    for approval in run.approvals:
        edited = approval.decision.edited_arguments if approval.decision else None
        if edited is None:
            continue
        arguments = json.dumps(edited, ensure_ascii=False)
        state = with_edited_arguments(state, approval.call_id, arguments)
        items = session.export_items()
        if replace_call_arguments(items, approval.call_id, arguments):
            await session.clear_session()
            await session.add_items(cast(list[TResponseInputItem], items))
    return state
