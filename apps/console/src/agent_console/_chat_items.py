"""What the chat pane shows: messages and inline events, built from a conversation's transcript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from agent_console._live import GuardrailVerdict
from agent_console._text import pretty_json
from agents_temporal.client import ApprovalRecord, TranscriptEntry

ChatKind = Literal[
    "user",
    "agent",
    "tool",
    "handoff",
    "approval",
    "decision",
    "failed",
    "stopped",
    "guardrail",
    "closed",
]
"""What a chat item shows."""


@dataclass
class ChatItem:
    """One message or inline event of the chat pane."""

    kind: ChatKind
    """What it is."""

    turn: int
    """The turn it belongs to."""

    text: str
    """The message, or a sentence describing the event."""

    at: datetime
    """When the workflow recorded it."""

    agent: str | None = None
    """The agent involved."""

    sender: str | None = None
    """Who wrote a user message."""

    tool: str | None = None
    """For tool calls and approvals, the tool."""

    arguments: str = ""
    """For tool calls and approvals, the arguments as indented JSON."""

    output: str | None = None
    """For tool calls, the tool's output once it arrived."""

    approval_id: str | None = None
    """For approvals and decisions, the approval."""

    decision: ApprovalRecord | None = None
    """For decisions, who decided what."""

    tripped: bool = False
    """For guardrail verdicts, whether the guardrail stopped the run."""


_SIMPLE: dict[str, ChatKind] = {
    "user_message": "user",
    "agent_message": "agent",
    "handoff": "handoff",
    "turn_failed": "failed",
    "turn_stopped": "stopped",
    "closed": "closed",
}


def _item(entry: TranscriptEntry) -> ChatItem | None:
    kind = _SIMPLE.get(entry.kind)
    if kind is None and entry.kind == "tool_call":
        kind = "tool"
    elif kind is None and entry.kind == "approval_requested":
        kind = "approval"
    elif kind is None and entry.kind == "approval_decision":
        kind = "decision"
    if kind is None:
        return None
    return ChatItem(
        kind=kind,
        turn=entry.turn,
        text=entry.text,
        at=entry.at,
        agent=entry.agent,
        sender=entry.sender,
        tool=entry.tool,
        arguments=pretty_json(entry.arguments),
        approval_id=entry.approval_id,
        decision=entry.decision,
    )


def chat_items(
    entries: Sequence[TranscriptEntry], verdicts: Sequence[GuardrailVerdict] = ()
) -> list[ChatItem]:
    """The chat pane's items, in conversation order.

    Tool outputs join the call they answer (the first call of the same tool in the same turn
    still without an output). Guardrail verdicts from a stream are gathered into one item per
    turn, right after the user message they judged.
    """
    items: list[ChatItem] = []
    for entry in entries:
        if entry.kind == "tool_output":
            call = next(
                (
                    i
                    for i in items
                    if i.kind == "tool"
                    and i.output is None
                    and i.turn == entry.turn
                    and (entry.tool is None or i.tool == entry.tool)
                ),
                None,
            )
            if call is not None:
                call.output = entry.text
                continue
            items.append(
                ChatItem(
                    kind="tool",
                    turn=entry.turn,
                    text=f"{entry.tool or 'A tool'} answered",
                    at=entry.at,
                    agent=entry.agent,
                    tool=entry.tool,
                    output=entry.text,
                )
            )
            continue
        item = _item(entry)
        if item is not None:
            items.append(item)
    return _with_verdicts(items, verdicts)


def _with_verdicts(items: list[ChatItem], verdicts: Sequence[GuardrailVerdict]) -> list[ChatItem]:
    """Each turn's guardrail verdicts as one item, right after the turn's user message."""
    groups: dict[int, list[GuardrailVerdict]] = {}
    for verdict in verdicts:
        groups.setdefault(_message_before(items, verdict.at), []).append(verdict)
    # Insert from the end, so that earlier positions stay valid.
    for position in sorted(groups, reverse=True):
        # Guardrails run at once and finish in any order: sort them, so the item reads the
        # same on every rerun of the page.
        first = min(groups[position], key=lambda v: v.at)
        group = sorted(groups[position], key=lambda v: (v.name, v.at))
        tripped = [v.name for v in group if v.tripped]
        names = ", ".join(dict.fromkeys(v.name for v in group))
        text = (
            f"Guardrail {', '.join(dict.fromkeys(tripped))} stopped the turn"
            if tripped
            else f"Guardrails passed: {names}"
        )
        lines = [
            f"- **{v.name}** {'tripped' if v.tripped else 'passed'}: {v.reasoning or '-'}"
            for v in group
        ]
        items.insert(
            position,
            ChatItem(
                kind="guardrail",
                turn=items[position - 1].turn if position else 0,
                text=text,
                at=first.at,
                agent=first.agent,
                output="\n".join(lines),
                tripped=bool(tripped),
            ),
        )
    return items


def _message_before(items: Sequence[ChatItem], moment: datetime) -> int:
    """The index just after the last user message recorded no later than ``moment``."""
    position = 0
    for index, item in enumerate(items):
        if item.kind == "user" and item.at <= moment:
            position = index + 1
    return position
