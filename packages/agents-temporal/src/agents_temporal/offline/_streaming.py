"""Activity side: models whose streamed answer is their whole answer, one delta per word."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

from agents import (
    AgentOutputSchemaBase,
    Handoff,
    Model,
    ModelResponse,
    ModelSettings,
    ModelTracing,
    Tool,
    TResponseInputItem,
)
from agents.items import TResponseStreamEvent
from openai.types.responses import ResponseTextDeltaEvent

from .._streaming.workflow_model import response_stream_events

_WORDS = re.compile(r"\s*\S+\s*")


def word_stream_events(response: ModelResponse) -> list[TResponseStreamEvent]:
    """The events of ``response`` as a provider would stream them, a delta per word."""
    events: list[TResponseStreamEvent] = []
    for event in response_stream_events(response, None, created_at=0.0):
        if isinstance(event, ResponseTextDeltaEvent):
            words = _WORDS.findall(event.delta) or [event.delta]
            events.extend(event.model_copy(update={"delta": word}) for word in words)
        else:
            events.append(event)
    return events


class WordStreamingModel(Model):
    """A model whose streamed answer is its ``get_response`` answer, one delta per word.

    Subclass it for scripted or deterministic models that should also work with
    ``Runner.run_streamed`` (and so with conversations, which stream).
    """

    async def stream_response(
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
        response = await self.get_response(
            system_instructions,
            input,
            model_settings,
            tools,
            output_schema,
            handoffs,
            tracing,
            **kwargs,
        )
        for event in word_stream_events(response):
            yield event
