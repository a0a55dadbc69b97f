"""Plays the support agents behind a local OpenAI-compatible HTTP server.

The responder turns each Responses API request back into what a model is given (instructions,
input items, output schema) and lets the offline demo model decide, so the real OpenAI client
path is exercised with deterministic, scripted behaviour.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any, cast

from agents import AgentOutputSchemaBase, ModelSettings, ModelTracing
from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage

from agents_temporal.testing import RecordedRequest, Reply, TextReply, ToolCall, ToolCallReply
from support_agents import OfflineSupportModel


class _Schema(AgentOutputSchemaBase):
    def __init__(self, name: str) -> None:
        self._name = name

    def is_plain_text(self) -> bool:
        return False

    def name(self) -> str:
        return self._name

    def json_schema(self) -> dict[str, Any]:
        return {}

    def is_strict_json_schema(self) -> bool:
        return True

    def validate_json(self, json_str: str) -> Any:
        return json.loads(json_str)


def _schema_of(body: dict[str, Any]) -> _Schema | None:
    fmt = cast(dict[str, Any], (body.get("text") or {}).get("format") or {})
    if fmt.get("type") != "json_schema":
        return None
    properties = cast(dict[str, Any], (fmt.get("schema") or {}).get("properties") or {})
    return _Schema("JailbreakVerdict" if "is_jailbreak" in properties else "RelevanceVerdict")


def support_responder(request: RecordedRequest) -> Reply:
    """Decide a reply the way the offline model would."""
    body = request.body_json or {}
    model = OfflineSupportModel()
    response = asyncio.run(
        model.get_response(
            system_instructions=body.get("instructions"),
            input=body.get("input") or [],
            model_settings=ModelSettings(),
            tools=[],
            output_schema=_schema_of(body),
            handoffs=[],
            tracing=ModelTracing.DISABLED,
        )
    )
    item = response.output[0]
    if isinstance(item, ResponseFunctionToolCall):
        return ToolCallReply([ToolCall(item.name, item.arguments)])
    assert isinstance(item, ResponseOutputMessage)
    return TextReply("".join(getattr(part, "text", "") for part in item.content))


class OneOffReplies:
    """Replies a test sets for the next request offering a given tool; the brain answers others.

    Guardrail classifiers run alongside the agent, so "the next request" in arrival order could
    be a classifier's: a reply meant for the agent names a tool only the agent has.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[str, Reply]] = []
        self._lock = threading.Lock()

    def add(self, tool: str, reply: Reply) -> None:
        with self._lock:
            self._pending.append((tool, reply))

    def __call__(self, request: RecordedRequest) -> Reply:
        tools: list[dict[str, Any]] = (request.body_json or {}).get("tools") or []
        offered = {tool.get("name") for tool in tools}
        with self._lock:
            for index, (tool, reply) in enumerate(self._pending):
                if tool in offered:
                    del self._pending[index]
                    return reply
        return support_responder(request)
