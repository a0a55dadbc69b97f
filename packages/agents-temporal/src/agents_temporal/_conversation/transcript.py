"""Workflow side: the human-readable transcript, built from the SDK's run items."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from agents import (
    HandoffOutputItem,
    InputGuardrailTripwireTriggered,
    ItemHelpers,
    MessageOutputItem,
    OutputGuardrailTripwireTriggered,
    RunItem,
    ToolCallItem,
    ToolCallOutputItem,
)
from pydantic_core import to_json
from temporalio.exceptions import ApplicationError, FailureError

from .._errors import failure_detail
from .approval_types import ApprovalRecord, PendingApproval
from .types import TranscriptEntry


def _field(raw: Any, name: str) -> Any:
    # Raw items are OpenAI pydantic models, or plain dicts once restored from a RunState.
    if isinstance(raw, dict):
        return cast(dict[str, Any], raw).get(name)
    return getattr(raw, name, None)


def as_text(value: Any) -> str:
    """Text for a model output or tool output of any type (structured ones as JSON)."""
    return value if isinstance(value, str) else to_json(value).decode()


def entries_for_items(items: Sequence[RunItem], turn: int, now: datetime) -> list[TranscriptEntry]:
    """Transcript entries for a run's messages, tool calls, tool outputs and handoffs.

    Other items (reasoning, approval placeholders, handoff calls) say nothing a reader needs:
    approvals get entries of their own when they are requested and decided.
    """
    tools_by_call: dict[str, str] = {}
    entries: list[TranscriptEntry] = []
    for item in items:
        agent = item.agent.name
        if isinstance(item, MessageOutputItem):
            text = ItemHelpers.text_message_output(item)
            entries.append(
                TranscriptEntry(turn=turn, kind="agent_message", text=text, at=now, agent=agent)
            )
        elif isinstance(item, ToolCallItem):
            name = str(_field(item.raw_item, "name") or _field(item.raw_item, "type") or "tool")
            arguments = _field(item.raw_item, "arguments")
            call_id = _field(item.raw_item, "call_id")
            if isinstance(call_id, str):
                tools_by_call[call_id] = name
            entries.append(
                TranscriptEntry(
                    turn=turn,
                    kind="tool_call",
                    text=f"{agent} called {name}",
                    at=now,
                    agent=agent,
                    tool=name,
                    arguments=arguments if isinstance(arguments, str) else None,
                )
            )
        elif isinstance(item, ToolCallOutputItem):
            call_id = _field(item.raw_item, "call_id")
            tool = tools_by_call.get(call_id) if isinstance(call_id, str) else None
            entries.append(
                TranscriptEntry(
                    turn=turn,
                    kind="tool_output",
                    text=as_text(item.output),
                    at=now,
                    agent=agent,
                    tool=tool,
                )
            )
        elif isinstance(item, HandoffOutputItem):
            source, target = item.source_agent.name, item.target_agent.name
            entries.append(
                TranscriptEntry(
                    turn=turn,
                    kind="handoff",
                    text=f"{source} handed the conversation to {target}",
                    at=now,
                    agent=target,
                )
            )
    return entries


def describe_turn_error(error: Exception) -> str:
    """What a failed turn's transcript entry says."""
    if isinstance(error, InputGuardrailTripwireTriggered | OutputGuardrailTripwireTriggered):
        name = error.guardrail_result.guardrail.get_name()
        return f"The {name!r} guardrail stopped this turn."
    if isinstance(error, ApplicationError):
        return error.message
    text = str(error) or type(error).__name__
    # A failed model call or activity tool says "Activity task failed"; its cause says why.
    detail = failure_detail(error)
    if isinstance(error, FailureError):
        return detail
    return text if detail in text else f"{text}: {detail}"


def approval_requested(approval: PendingApproval) -> TranscriptEntry:
    """The entry for a tool call that now waits for a decision."""
    return TranscriptEntry(
        turn=approval.turn,
        kind="approval_requested",
        text=f"{approval.agent} asks to call {approval.tool}: waiting for approval {approval.id}",
        at=approval.requested_at,
        agent=approval.agent,
        tool=approval.tool,
        arguments=approval.arguments,
        approval_id=approval.id,
    )


def approval_decided(approval: PendingApproval, record: ApprovalRecord) -> TranscriptEntry:
    """The entry for a decision, naming who took it and how."""
    verb = "approved" if record.approved else "rejected"
    how = {
        "operator": f"by {record.operator}",
        "policy": f"by the policy {record.operator} set",
        "timeout": "automatically: nobody decided in time",
        "closed": "automatically: the conversation was closed",
        "stopped": f"because {record.operator} stopped the turn",
    }[record.source]
    edited = " with edited arguments" if record.edited_arguments is not None else ""
    always = f" (and every later {record.tool} call)" if record.always else ""
    because = f": {record.reason}" if record.reason and record.source == "operator" else ""
    return TranscriptEntry(
        turn=approval.turn,
        kind="approval_decision",
        text=f"{record.tool} call {approval.id} {verb}{edited} {how}{always}{because}",
        at=record.decided_at,
        agent=approval.agent,
        tool=record.tool,
        arguments=approval.arguments,
        approval_id=approval.id,
        decision=record,
    )


def turn_stopped(
    turn: int, operator: str, reason: str | None, agent: str, now: datetime
) -> TranscriptEntry:
    """The entry for a turn someone stopped before it ended, naming who."""
    because = f": {reason}" if reason else ""
    return TranscriptEntry(
        turn=turn,
        kind="turn_stopped",
        text=f"{operator} stopped turn {turn}{because}",
        at=now,
        agent=agent,
        sender=operator,
    )
