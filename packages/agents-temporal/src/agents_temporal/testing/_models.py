"""Tests, activity side: scripted models (no network, no cost)."""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
from agents.exceptions import UserError
from agents.items import TResponseOutputItem, TResponseStreamEvent
from openai.types.responses import (
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
)

from ..offline import WordStreamingModel, word_stream_events


class ResponseBuilders:
    """Builders for the model responses a test model returns."""

    @staticmethod
    def stream_events(response: ModelResponse) -> list[TResponseStreamEvent]:
        """The events of ``response`` as a provider would stream them, a delta per word."""
        return word_stream_events(response)

    _ids = itertools.count(1)

    @staticmethod
    def model_response(output: TResponseOutputItem, usage: Usage | None = None) -> ModelResponse:
        """A response holding one output item."""
        return ModelResponse(output=[output], usage=usage or Usage(), response_id=None)

    @staticmethod
    def response_output_message(text: str) -> ResponseOutputMessage:
        """An assistant message item with ``text``."""
        return ResponseOutputMessage(
            id=f"msg_{next(ResponseBuilders._ids)}",
            content=[ResponseOutputText(text=text, annotations=[], type="output_text")],
            role="assistant",
            status="completed",
            type="message",
        )

    @staticmethod
    def output_message(text: str) -> ModelResponse:
        """A response in which the model answers with ``text``."""
        return ResponseBuilders.model_response(ResponseBuilders.response_output_message(text))

    @staticmethod
    def tool_call(
        arguments: str, name: str, *, call_id: str | None = None, item_id: str | None = None
    ) -> ModelResponse:
        """A response in which the model calls tool ``name`` with JSON ``arguments``.

        The ids default to ``"call"`` and ``"id"``, as the published integration's builder
        makes them; a workflow gives a repeated ``call_id`` a fresh one (``call-2``), so the
        conversation keeps every call.
        """
        return ResponseBuilders.model_response(
            ResponseFunctionToolCall(
                arguments=arguments,
                call_id="call" if call_id is None else call_id,
                name=name,
                type="function_call",
                id="id" if item_id is None else item_id,
                status="completed",
            )
        )


@dataclass(frozen=True)
class ModelRequest:
    """What a test model was asked, for response functions that look at the request."""

    system_instructions: str | None
    input: str | list[TResponseInputItem]
    tools: list[Tool]
    handoffs: list[Handoff[Any, Any]]
    output_schema: AgentOutputSchemaBase | None
    model_settings: ModelSettings

    def _items(self) -> list[dict[str, Any]]:
        if isinstance(self.input, str):
            return [{"type": "message", "role": "user", "content": self.input}]
        return [cast(dict[str, Any], item) for item in self.input]

    def tool_outputs(self) -> list[str]:
        """The outputs of the tool calls in the input, oldest first."""
        return [
            str(item.get("output"))
            for item in self._items()
            if item.get("type") == "function_call_output"
        ]

    def last_user_text(self) -> str:
        """The text of the newest user message in the input ("" when there is none)."""
        for item in reversed(self._items()):
            if item.get("role") == "user":
                content = item.get("content")
                if isinstance(content, str):
                    return content
                parts = cast(list[dict[str, Any]], content or [])
                return "".join(str(p.get("text", "")) for p in parts)
        return ""


ResponseFunction = Callable[[], ModelResponse] | Callable[[ModelRequest], ModelResponse]


class TestModel(WordStreamingModel):
    """A model that answers from a function, or from a fixed list of responses.

    Args:
        fn: Called for every model call; it may take no argument or the ``ModelRequest``.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, fn: ResponseFunction) -> None:
        self.fn = fn
        self._takes_request = bool(inspect.signature(fn).parameters)
        self.requests: list[ModelRequest] = []

    @staticmethod
    def returning_responses(responses: Iterable[ModelResponse]) -> TestModel:
        """A model that returns ``responses`` in order, one per call."""
        remaining = iter(list(responses))

        def next_response() -> ModelResponse:
            try:
                return next(remaining)
            except StopIteration:
                raise UserError("TestModel ran out of scripted responses") from None

        return TestModel(next_response)

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
        request = ModelRequest(
            system_instructions, input, tools, handoffs, output_schema, model_settings
        )
        self.requests.append(request)
        if self._takes_request:
            return self.fn(request)  # type: ignore[call-arg]
        return self.fn()  # type: ignore[call-arg]


class TestModelProvider(ModelProvider):
    """A provider that returns the same model for every name."""

    __test__ = False

    def __init__(self, model: Model) -> None:
        self._model = model

    def get_model(self, model_name: str | None) -> Model:
        return self._model
