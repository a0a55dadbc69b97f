"""The desk's offline model (activity side): plays Triage and the Clerk from keywords.

Deterministic, no API key. Its response ids start with ``offline-demo``, the prefix by which
the console tells the offline model's answers (and their zero cost) apart.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
from typing import Any, cast

from agents import (
    AgentOutputSchemaBase,
    Handoff,
    Model,
    ModelProvider,
    ModelResponse,
    ModelSettings,
    ModelTracing,
    Tool,
    TResponseInputItem,
    Usage,
)

from agents_temporal.testing import ResponseBuilders, WordStreamingModel
from stack_testapp._agents import CLERK_INSTRUCTIONS, TRIAGE_INSTRUCTIONS

OFFLINE_RESPONSE_PREFIX = "offline-demo"
"""Every response id of the offline model starts with this."""

_TICKET = re.compile(r"\bT-\d+\b", re.IGNORECASE)
GREETING = "Hello from the test desk. Ask about a ticket, e.g. 'What is the status of T-1?'"
"""Triage's answer to anything that is not about a ticket."""


def _items(input: str | list[TResponseInputItem]) -> list[dict[str, Any]]:
    if isinstance(input, str):
        return [{"role": "user", "content": input}]
    return [cast(dict[str, Any], item) for item in input]


def _text(item: dict[str, Any]) -> str:
    content: Any = item.get("content")
    if isinstance(content, str):
        return content
    return "".join(str(part.get("text", "")) for part in cast(list[dict[str, Any]], content or []))


class DeskModel(WordStreamingModel):
    """Triage hands tickets to the Clerk; the Clerk looks them up, or closes them when asked."""

    def __init__(self) -> None:
        # Ids unique across worker processes, as a real provider's are: the Agents SDK
        # de-duplicates conversation items by call id.
        prefix = secrets.token_hex(4)
        self._ids = (f"{prefix}_{n}" for n in itertools.count(1))

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        **kwargs: Any,
    ) -> ModelResponse:
        items = _items(input)
        last_user = max((i for i, it in enumerate(items) if it.get("role") == "user"), default=-1)
        message = _text(items[last_user]) if last_user >= 0 else ""
        since = items[last_user + 1 :]
        # A handoff is a tool call too; only the real tools' outputs are answers.
        handoff_calls = {
            i.get("call_id")
            for i in since
            if i.get("type") == "function_call" and str(i.get("name")).startswith("transfer_to_")
        }
        outputs = [
            str(i.get("output"))
            for i in since
            if i.get("type") == "function_call_output" and i.get("call_id") not in handoff_calls
        ]
        ticket = _TICKET.search(message)
        instructions = system_instructions or ""
        if instructions.startswith(TRIAGE_INSTRUCTIONS) and ticket and handoffs:
            response = self._call(handoffs[0].tool_name, {})
        elif not instructions.startswith(CLERK_INSTRUCTIONS) or not ticket:
            response = ResponseBuilders.output_message(GREETING)
        elif outputs:
            response = ResponseBuilders.output_message(outputs[-1])
        elif "close" in message.lower():
            request = {"ticket_id": ticket.group(0).upper(), "resolution": "Asked to close."}
            response = self._call("close_ticket", {"request": request})
        else:
            response = self._call("look_up_ticket", {"ticket_id": ticket.group(0).upper()})
        response.response_id = f"{OFFLINE_RESPONSE_PREFIX}-{next(self._ids)}"
        # Rough token counts (four characters a token), so usage and cost views have figures.
        sent = len(instructions) + len(json.dumps(input, default=str))
        produced = len(json.dumps([o.model_dump() for o in response.output], default=str))
        response.usage = Usage(
            requests=1,
            input_tokens=sent // 4,
            output_tokens=produced // 4,
            total_tokens=(sent + produced) // 4,
        )
        return response

    def _call(self, name: str, arguments: dict[str, Any]) -> ModelResponse:
        return ResponseBuilders.tool_call(
            json.dumps(arguments), name, call_id=f"call_{next(self._ids)}"
        )


class DeskModelProvider(ModelProvider):
    """The offline model for every model name."""

    def get_model(self, model_name: str | None) -> Model:
        return DeskModel()
