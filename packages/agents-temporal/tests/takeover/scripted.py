"""The scripted model of the takeover tests, the same on both sides: it needs only ``agents``.

It asks for the ``release_parcel`` tool once, then reports the tool's output, prefixed with the
side that answered, so a test can tell which worker made the last model call.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
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
from agents.items import TResponseStreamEvent
from openai.types.responses import (
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
)

from .workflows import TOOL


def answer(input: str | list[TResponseInputItem], answered_by: str) -> ModelResponse:
    """Call the tool for the parcel named last in the request, then report its output."""
    items = [cast(dict[str, Any], item) for item in input] if isinstance(input, list) else []
    outputs = [str(item["output"]) for item in items if item.get("type") == "function_call_output"]
    if outputs:
        text = ResponseOutputText(
            text=f"{answered_by}: {outputs[-1]}", annotations=[], type="output_text"
        )
        output: Any = ResponseOutputMessage(
            id="msg", content=[text], role="assistant", status="completed", type="message"
        )
    else:
        request = input if isinstance(input, str) else str(items[-1]["content"])
        output = ResponseFunctionToolCall(
            arguments=json.dumps({"parcel": request.split()[-1]}),
            call_id="call",
            name=TOOL,
            type="function_call",
            id="id",
            status="completed",
        )
    return ModelResponse(output=[output], usage=Usage(), response_id=None)


class ScriptedModel(Model):
    """`answer`, as a model; ``answered_by`` names the side."""

    def __init__(self, answered_by: str) -> None:
        self.answered_by = answered_by

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
        return answer(input, self.answered_by)

    def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        **kwargs: Any,
    ) -> AsyncIterator[TResponseStreamEvent]:
        raise NotImplementedError("the takeover workflows do not stream")


class ScriptedProvider(ModelProvider):
    """`ScriptedModel` for every model name."""

    def __init__(self, answered_by: str) -> None:
        self.answered_by = answered_by

    def get_model(self, model_name: str | None) -> Model:
        return ScriptedModel(self.answered_by)
