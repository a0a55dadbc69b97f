"""Activity side: the base of an app's offline model, its responses and its provider."""

from __future__ import annotations

import itertools
import json
import secrets
from abc import abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

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
from agents.items import TResponseOutputItem
from openai.types.responses import (
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
)

from .._model.activity import calling_agent
from ._prefix import OFFLINE_RESPONSE_PREFIX
from ._streaming import WordStreamingModel
from ._turn import OfflineTurn

_CHARS_PER_TOKEN = 4


def estimate_usage(
    instructions: str | None,
    input: str | list[TResponseInputItem],
    output: list[TResponseOutputItem],
) -> Usage:
    """Rough token counts (four characters a token), so usage and cost views have figures."""
    sent = len(instructions or "") + len(json.dumps(input, default=str))
    produced = len(json.dumps([item.model_dump() for item in output], default=str))
    return Usage(
        requests=1,
        input_tokens=sent // _CHARS_PER_TOKEN,
        output_tokens=produced // _CHARS_PER_TOKEN,
        total_tokens=(sent + produced) // _CHARS_PER_TOKEN,
    )


class OfflineModel(WordStreamingModel):
    """The base of a rule-based model that plays an app's agents with no API key.

    Subclass it and implement `respond`: given what the agent sees of the current turn (an
    `OfflineTurn`: which agent calls, the newest user message, this turn's tool results), return
    `say`, `call_tool` or `hand_off`. Streaming, usage estimates and response ids are done here;
    every response id starts with `OFFLINE_RESPONSE_PREFIX`, so the console can say that the
    offline model answered.

    Example:
        ```python
        class OfflineTravelModel(OfflineModel):
            def respond(self, turn: OfflineTurn) -> ModelResponse:
                if turn.agent == "Triage" and turn.has("book"):
                    return self.hand_off(turn, "Bookings")
                return self.say(f"You said: {turn.message}")
        ```

    The model runs in the model activity, on the worker: rules must read text in linear time
    (a quadratic regular expression on a long message holds up every workflow on the worker).
    """

    def __init__(self) -> None:
        # Ids unique across worker processes, as a real provider's are: the Agents SDK keeps
        # one item per call id, so two workers (before and after a crash) numbering their calls
        # alike would make a conversation forget a tool call, and run it again.
        prefix = secrets.token_hex(4)
        self._ids = (f"{prefix}_{n}" for n in itertools.count(1))

    @abstractmethod
    def respond(self, turn: OfflineTurn) -> ModelResponse:
        """The response to one model call of ``turn.agent``."""

    def say(self, text: str) -> ModelResponse:
        """A response in which the agent answers with ``text``."""
        return self._response(
            ResponseOutputMessage(
                id=f"msg_offline_{next(self._ids)}",
                content=[ResponseOutputText(text=text, annotations=[], type="output_text")],
                role="assistant",
                status="completed",
                type="message",
            )
        )

    def call_tool(self, name: str, arguments: Mapping[str, Any] | None = None) -> ModelResponse:
        """A response in which the agent calls tool ``name`` with ``arguments``."""
        n = next(self._ids)
        return self._response(
            ResponseFunctionToolCall(
                arguments=json.dumps(dict(arguments or {})),
                call_id=f"call_offline_{n}",
                name=name,
                type="function_call",
                id=f"fc_offline_{n}",
                status="completed",
            )
        )

    def hand_off(self, turn: OfflineTurn, agent: str) -> ModelResponse:
        """A response in which the calling agent hands the conversation to ``agent``.

        Raises:
            UserError: The calling agent has no handoff to ``agent``.
        """
        return self.call_tool(turn.handoff_tool_name(agent))

    def _response(self, item: TResponseOutputItem) -> ModelResponse:
        return ModelResponse(
            output=[item],
            usage=Usage(requests=1),
            response_id=f"{OFFLINE_RESPONSE_PREFIX}-{next(self._ids)}",
        )

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
        turn = OfflineTurn.of(
            calling_agent(), system_instructions, input, tools, handoffs, output_schema
        )
        response = self.respond(turn)
        response.usage = estimate_usage(system_instructions, input, response.output)
        return response


class OfflineModelProvider(ModelProvider):
    """Serves one offline model for every model name (agents name real models).

    Pass it as an app's offline provider: ``offline_model_provider=lambda:
    OfflineModelProvider(OfflineTravelModel())``, or make a subclass whose constructor takes no
    argument.
    """

    def __init__(self, model: Model | Callable[[], Model]) -> None:
        self._model = model if isinstance(model, Model) else model()

    @property
    def model(self) -> Model:
        """The model served for every name."""
        return self._model

    def get_model(self, model_name: str | None) -> Model:
        return self._model
