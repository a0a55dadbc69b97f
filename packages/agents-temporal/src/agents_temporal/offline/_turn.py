"""Activity side: what an offline model can see of the current turn of a conversation."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from agents import AgentOutputSchemaBase, FunctionTool, Handoff, Tool, TResponseInputItem
from agents.exceptions import UserError

HANDOFF_TOOL_PREFIX = "transfer_to_"
"""The Agents SDK names a handoff's tool ``transfer_to_<agent>``."""

_NOT_WORD = re.compile(r"[^a-zA-Z0-9_]")


def message_text(item: dict[str, Any]) -> str:
    """The text of a message item: plain content, or its text parts joined."""
    content: Any = item.get("content")
    if isinstance(content, str):
        return content
    parts = cast(list[dict[str, Any]], content or [])
    return "".join(str(part.get("text", "")) for part in parts)


def output_text(output: Any) -> str:
    """A tool output as text: plain, or the text parts of structured output (MCP tools)."""
    if isinstance(output, list):
        parts = cast(list[dict[str, Any]], output)
        return "".join(str(part.get("text", "")) for part in parts)
    return str(output)


def json_object(text: str) -> dict[str, Any] | None:
    """``text`` parsed as a JSON object (looking inside an MCP text item), else None."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    data = cast(dict[str, Any], value)
    if data.get("type") == "text" and isinstance(data.get("text"), str):
        return json_object(data["text"])
    return data


@dataclass
class OfflineTurn:
    """What the model can see of the current turn: the newest user message and what followed.

    A conversation's input holds every earlier turn too; rules that look only at this turn
    (``message``, ``tool_outputs``) cannot be confused by an old tool result.
    """

    agent: str | None
    """The name of the agent making the call (None outside the model activity)."""

    instructions: str
    """The agent's system instructions ("" when it has none)."""

    items: list[dict[str, Any]]
    """The whole input, as plain items."""

    tools: Sequence[Tool] = ()
    """The agent's tools, as the model sees them."""

    handoffs: Sequence[Handoff[Any, Any]] = ()
    """The agent's handoffs, as the model sees them."""

    output_schema: AgentOutputSchemaBase | None = None
    """The agent's output schema; None or plain text for a chat answer."""

    _last_user: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._last_user = max(
            (n for n, item in enumerate(self.items) if item.get("role") == "user"), default=-1
        )

    @classmethod
    def of(
        cls,
        agent: str | None,
        instructions: str | None,
        input: str | list[TResponseInputItem],
        tools: Sequence[Tool] = (),
        handoffs: Sequence[Handoff[Any, Any]] = (),
        output_schema: AgentOutputSchemaBase | None = None,
    ) -> OfflineTurn:
        """The turn of a model call, from ``Model.get_response``'s arguments."""
        items: list[dict[str, Any]] = (
            [{"role": "user", "content": input}]
            if isinstance(input, str)
            else [cast(dict[str, Any], item) for item in input]
        )
        return cls(agent, instructions or "", items, tools, handoffs, output_schema)

    @property
    def message(self) -> str:
        """The newest user message ("" when there is none)."""
        return message_text(self.items[self._last_user]) if self._last_user >= 0 else ""

    @property
    def since_message(self) -> list[dict[str, Any]]:
        """The items after the newest user message: this turn's calls, outputs and handoffs."""
        return self.items[self._last_user + 1 :]

    @property
    def conversation(self) -> str:
        """Every user message of the conversation, joined by spaces."""
        return " ".join(message_text(item) for item in self.items if item.get("role") == "user")

    @property
    def wants_structured_output(self) -> bool:
        """The agent answers with JSON for its output schema (a guardrail classifier, say)."""
        return self.output_schema is not None and not self.output_schema.is_plain_text()

    @property
    def tool_outputs(self) -> list[tuple[str, str]]:
        """This turn's tool results as (tool name, output text), oldest first.

        Handoffs show up as tool calls too; their outputs are left out.
        """
        names = {
            item.get("call_id"): str(item.get("name"))
            for item in self.since_message
            if item.get("type") == "function_call"
        }
        outputs = [
            (names.get(item.get("call_id"), "?"), output_text(item.get("output")))
            for item in self.since_message
            if item.get("type") == "function_call_output"
        ]
        return [(name, out) for name, out in outputs if not name.startswith(HANDOFF_TOOL_PREFIX)]

    def has(self, *words: str) -> bool:
        """Whether the newest user message contains any of ``words`` (ignoring case)."""
        lowered = self.message.lower()
        return any(word.lower() in lowered for word in words)

    def tool(self, name: str) -> FunctionTool | None:
        """The agent's function tool called ``name``, if it has one."""
        return next((t for t in self.tools if isinstance(t, FunctionTool) and t.name == name), None)

    def handoff_tool_name(self, agent: str) -> str:
        """The name of the tool that hands off to ``agent``.

        When the call names no handoffs at all (a model played outside the model activity,
        behind a test HTTP server say), this is the Agents SDK's default name.

        Raises:
            UserError: The calling agent has handoffs, none of them to ``agent`` (a mistake in
                the model's rules: the model call fails at once, it is not retried).
        """
        for handoff in self.handoffs:
            if handoff.agent_name == agent:
                return handoff.tool_name
        if not self.handoffs:
            return HANDOFF_TOOL_PREFIX + _NOT_WORD.sub("_", agent.lower())
        can = ", ".join(repr(h.agent_name) for h in self.handoffs) or "none"
        raise UserError(
            f"Agent {self.agent or '?'!r} cannot hand off to {agent!r} (its handoffs: {can})"
        )
