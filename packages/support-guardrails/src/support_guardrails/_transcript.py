"""What a classifier guardrail reads: the latest customer message, with a little context."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, cast

from agents import TResponseInputItem
from pydantic import BaseModel

_CONTEXT_MESSAGES: Final = 4
_MAX_CHARS: Final = 4_000
_SPEAKERS: Final = {"user": "Customer", "assistant": "Assistant"}


def _text_of(content: object) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, Sequence):
        return ""
    texts: list[str] = []
    for part in cast(Sequence[object], content):
        if isinstance(part, Mapping):
            text = cast(Mapping[str, Any], part).get("text")
            if isinstance(text, str):
                texts.append(text)
    return "\n".join(texts)


def _messages(items: list[TResponseInputItem]) -> list[tuple[str, str]]:
    """(role, text) of the user and assistant messages; tool calls and the rest are skipped."""
    messages: list[tuple[str, str]] = []
    for item in items:
        # Input items are TypedDicts, but items replayed from earlier output may be models.
        raw = cast(object, item)
        fields = raw.model_dump() if isinstance(raw, BaseModel) else raw
        if not isinstance(fields, Mapping):
            continue
        mapping = cast(Mapping[str, Any], fields)
        role = mapping.get("role")
        if role in _SPEAKERS and mapping.get("type", "message") == "message":
            text = _text_of(mapping.get("content")).strip()
            if text:
                messages.append((cast(str, role), text[:_MAX_CHARS]))
    return messages


def latest_customer_message(agent_input: str | list[TResponseInputItem]) -> str | None:
    """The text of the last user message, or None when there is none."""
    if isinstance(agent_input, str):
        return agent_input.strip()[:_MAX_CHARS] or None
    users = [text for role, text in _messages(agent_input) if role == "user"]
    return users[-1] if users else None


def classifier_prompt(agent_input: str | list[TResponseInputItem]) -> str | None:
    """The prompt a classifier guardrail sees: a few earlier messages and the one to judge.

    Returns None when the input holds no customer message to judge.
    """
    if isinstance(agent_input, str):
        latest = latest_customer_message(agent_input)
        return None if latest is None else f"Latest customer message (judge this one):\n{latest}"
    messages = _messages(agent_input)
    last_user = max((i for i, (role, _) in enumerate(messages) if role == "user"), default=None)
    if last_user is None:
        return None
    earlier = messages[max(0, last_user - _CONTEXT_MESSAGES) : last_user]
    parts: list[str] = []
    if earlier:
        lines = "\n".join(f"{_SPEAKERS[role]}: {text}" for role, text in earlier)
        parts.append(f"Earlier in the conversation (context only):\n{lines}")
    parts.append(f"Latest customer message (judge this one):\n{messages[last_user][1]}")
    return "\n\n".join(parts)
