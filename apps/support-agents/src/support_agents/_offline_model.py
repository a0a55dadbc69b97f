"""The offline demo model: plays every support agent deterministically from keywords.

It makes the whole stack work with no API key: it routes to the right specialist, calls tools
with plausible arguments, answers from tool results, and trips the guardrails on obvious cases.
Every response it gives has a ``response_id`` starting with ``offline-demo`` so a UI can say
that the demo model answered.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
from typing import Any, cast

from agents import (
    AgentOutputSchemaBase,
    FunctionTool,
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
from openai.types.responses import (
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
)

from agents_temporal.testing import WordStreamingModel
from support_agents._agents import FAQ, ORDERS, REFUNDS, TRIAGE, instructions_header
from support_tools import parse_amount

OFFLINE_RESPONSE_PREFIX = "offline-demo"
"""Every offline response id starts with this."""

_ORDER_ID = re.compile(r"\bORD-?\s?(\d{5})\b", re.IGNORECASE)
_CUSTOMER_ID = re.compile(r"\bCUST-\d{4}\b")
# An amount is a sign, a currency symbol and a number, or a number and a currency word. The
# number is taken whole (letters, dots and commas included, ending on a letter or digit) and read
# strictly by `parse_amount`, so "1e3 dollars" or "$1,00" is refused instead of read as 3 dollars
# or $1. A number starts only where no number character precedes it, so each character begins
# at most one attempt and a long run of digits is scanned in linear time (the unanchored pattern
# took seconds of the worker's interpreter lock on an 8,000-digit message).
_NUMBER = r"(?<![0-9A-Za-z.,])[0-9](?:[0-9A-Za-z.,]*[0-9A-Za-z])?"
_AMOUNT = re.compile(
    rf"(?:([-+]?)[$£€]\s?([-+]?{_NUMBER}))|([-+]?{_NUMBER})\s?(?:dollars|usd|eur|gbp)\b",
    re.I,
)


def requested_cents(message: str) -> int | None:
    """The refund amount a customer's message names, in cents; None when it names none.

    Raises:
        ValueError: The message names an amount that is not written plainly (see
            `support_tools.parse_amount`); the message says how to write it.
    """
    amount = _AMOUNT.search(message)
    if amount is None:
        return None
    return parse_amount((amount.group(1) or "") + (amount.group(2) or amount.group(3)))


_JUDGE = "(judge this one):"

_OFF_TOPIC = ("weather", "poem", "joke", "recipe", "stock", "bitcoin", "homework", "capital of")
_JAILBREAK = (
    "ignore previous",
    "ignore all previous",
    "ignore your instructions",
    "system prompt",
    "developer mode",
    "pretend you are",
    "jailbreak",
    "no restrictions",
)
_BACK = ("something else", "another question", "back to", "start over", "different question")


def _text(item: dict[str, Any]) -> str:
    content: Any = item.get("content")
    if isinstance(content, str):
        return content
    parts = cast(list[dict[str, Any]], content or [])
    return "".join(str(p.get("text", "")) for p in parts)


class _Turn:
    """What the model can see of the current turn."""

    def __init__(self, instructions: str | None, input: str | list[TResponseInputItem]) -> None:
        self.instructions = instructions or ""
        items: list[dict[str, Any]] = (
            [{"role": "user", "content": input}]
            if isinstance(input, str)
            else [cast(dict[str, Any], i) for i in input]
        )
        last_user = max((i for i, it in enumerate(items) if it.get("role") == "user"), default=-1)
        self.message = _text(items[last_user]) if last_user >= 0 else ""
        self.since_message = items[last_user + 1 :]
        self.conversation = " ".join(_text(i) for i in items if i.get("role") == "user")
        self.tools: list[Tool] = []

    def search_arguments(self, query: str) -> dict[str, Any]:
        """Arguments for search_help_centre: the activity takes a request, MCP flat fields."""
        for tool in self.tools:
            if isinstance(tool, FunctionTool) and tool.name == "search_help_centre":
                if "request" not in tool.params_json_schema.get("properties", {}):
                    return {"query": query}
        return {"request": {"query": query}}

    @property
    def tool_outputs(self) -> list[tuple[str, str]]:
        names = {
            i.get("call_id"): str(i.get("name"))
            for i in self.since_message
            if i.get("type") == "function_call"
        }
        outputs = [
            (names.get(i.get("call_id"), "?"), _output_text(i.get("output")))
            for i in self.since_message
            if i.get("type") == "function_call_output"
        ]
        # A handoff shows up as a tool call too; only real tools' outputs matter here.
        return [(name, out) for name, out in outputs if not name.startswith("transfer_to_")]

    def order_id(self) -> str | None:
        for text in (self.message, self.instructions, self.conversation):
            if match := _ORDER_ID.search(text):
                return f"ORD-{match.group(1)}"
        return None

    def customer_id(self) -> str:
        match = _CUSTOMER_ID.search(self.instructions)
        return match.group(0) if match else "CUST-1001"

    def has(self, *words: str) -> bool:
        lowered = self.message.lower()
        return any(w in lowered for w in words)


class OfflineSupportModel(WordStreamingModel):
    """A stand-in for a real model with deterministic answers, for demos and tests."""

    def __init__(self) -> None:
        # Ids unique across worker processes, as a real provider's are: the Agents SDK
        # de-duplicates conversation items by call id, so a conversation served by two workers
        # (after a crash) with repeated ids lost a tool call, and the refund was issued again.
        self._prefix = secrets.token_hex(4)
        self._ids = (f"{self._prefix}_{n}" for n in itertools.count(1))

    def _response(self, item: Any) -> ModelResponse:
        n = next(self._ids)
        return ModelResponse(
            output=[item], usage=Usage(requests=1), response_id=f"{OFFLINE_RESPONSE_PREFIX}-{n}"
        )

    def _say(self, text: str) -> ModelResponse:
        return self._response(
            ResponseOutputMessage(
                id=f"msg_offline_{next(self._ids)}",
                content=[ResponseOutputText(text=text, annotations=[], type="output_text")],
                role="assistant",
                status="completed",
                type="message",
            )
        )

    def _call(self, name: str, arguments: dict[str, Any]) -> ModelResponse:
        n = next(self._ids)
        return self._response(
            ResponseFunctionToolCall(
                arguments=json.dumps(arguments),
                call_id=f"call_offline_{n}",
                name=name,
                type="function_call",
                id=f"fc_offline_{n}",
                status="completed",
            )
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
        turn = _Turn(system_instructions, input)
        response = self._decide(turn, output_schema, tools)
        # Rough token counts (four characters a token) so usage and cost views have figures.
        sent = len(turn.instructions) + len(json.dumps(input, default=str))
        produced = len(json.dumps([o.model_dump() for o in response.output], default=str))
        response.usage = Usage(
            requests=1,
            input_tokens=sent // 4,
            output_tokens=produced // 4,
            total_tokens=(sent + produced) // 4,
        )
        return response

    def _decide(
        self, turn: _Turn, output_schema: AgentOutputSchemaBase | None, tools: list[Tool]
    ) -> ModelResponse:
        if output_schema is not None and not output_schema.is_plain_text():
            return self._verdict(output_schema.name(), turn)
        turn.tools = tools
        for agent, play in (
            (TRIAGE, self._triage),
            (ORDERS, self._orders),
            (REFUNDS, self._refunds),
            (FAQ, self._faq),
        ):
            if turn.instructions.startswith(instructions_header(agent)):
                return play(turn)
        return self._say(f"(offline demo model) You said: {turn.message}")

    def _verdict(self, schema: str, turn: _Turn) -> ModelResponse:
        judged = turn.message.split(_JUDGE, 1)[-1].strip().lower()
        if "Jailbreak" in schema:
            hit = next((w for w in _JAILBREAK if w in judged), None)
            verdict = {
                "is_jailbreak": hit is not None,
                "reasoning": f"The message asks to {hit!r}." if hit else "A normal request.",
            }
        else:
            hit = next((w for w in _OFF_TOPIC if w in judged), None)
            verdict = {
                "is_relevant": hit is None,
                "reasoning": (
                    f"It is about {hit}, not the store." if hit else "It is about the store."
                ),
            }
        return self._say(json.dumps(verdict))

    def _triage(self, turn: _Turn) -> ModelResponse:
        if turn.has("policy", "policies", "how do", "how long", "can i", "do you"):
            return self._call("transfer_to_faq", {})
        if turn.has("refund", "money back", "return"):
            return self._call("transfer_to_refunds", {})
        if turn.has("order", "where", "track", "ship", "deliver", "address", "parcel"):
            return self._call("transfer_to_orders", {})
        if turn.has("how", "policy", "can i", "do you", "what"):
            return self._call("transfer_to_faq", {})
        return self._say(
            "Hi! I can help with your orders, deliveries, refunds and store policies. "
            "What can I do for you?"
        )

    def _back_to_triage(self, turn: _Turn, *off_desk: str) -> ModelResponse | None:
        """Hand back when the customer moves on, or asks for another desk's work."""
        if not turn.tool_outputs and (turn.has(*_BACK) or (off_desk and turn.has(*off_desk))):
            return self._call("transfer_to_triage", {})
        return None

    def _orders(self, turn: _Turn) -> ModelResponse:
        if (back := self._back_to_triage(turn, "refund", "money back", "policy")) is not None:
            return back
        outputs = turn.tool_outputs
        order_id = turn.order_id()
        if not outputs:
            customer = turn.customer_id()
            if order_id is None:
                return self._call("list_recent_orders", {"request": {"customer_id": customer}})
            tool = (
                "track_shipment"
                if turn.has("where", "track", "deliver", "ship")
                else "lookup_order"
            )
            return self._call(tool, {"request": {"customer_id": customer, "order_id": order_id}})
        return self._say(_summarize(outputs[-1]))

    def _refunds(self, turn: _Turn) -> ModelResponse:
        if (back := self._back_to_triage(turn, "policy", "policies", "where", "track")) is not None:
            return back
        if not turn.tool_outputs and not turn.has("refund", "money back"):
            return self._call("transfer_to_triage", {})
        order_id = turn.order_id()
        customer = turn.customer_id()
        outputs = turn.tool_outputs
        if order_id is None:
            return self._say(
                "Which order would you like a refund for? Its id looks like ORD-10042."
            )
        if not outputs:
            return self._call(
                "lookup_order", {"request": {"customer_id": customer, "order_id": order_id}}
            )
        name, output = outputs[-1]
        if name == "issue_refund":
            return self._say(_summarize(outputs[-1]))
        order = _json(output)
        if order is None:
            return self._say(output)
        try:
            requested = requested_cents(turn.message)
        except ValueError as error:
            return self._say(f"I could not read that amount: {error}.")
        cents = int(order.get("refundable_cents", 0)) if requested is None else requested
        return self._call(
            "issue_refund",
            {
                "request": {
                    "customer_id": customer,
                    "order_id": order_id,
                    "amount_cents": cents,
                    "currency": order.get("currency", "USD"),
                    "reason": turn.message[:200] or "Customer request",
                }
            },
        )

    def _faq(self, turn: _Turn) -> ModelResponse:
        if (back := self._back_to_triage(turn, "refund", "order", "ord-", "track")) is not None:
            return back
        if not turn.tool_outputs:
            query = turn.message[:200]
            return self._call("search_help_centre", turn.search_arguments(query))
        return self._say(_summarize(turn.tool_outputs[-1]))


def _output_text(output: Any) -> str:
    """A tool output as text: plain, or the text parts of structured output (MCP tools)."""
    if isinstance(output, list):
        parts = cast(list[dict[str, Any]], output)
        return "".join(str(p.get("text", "")) for p in parts)
    return str(output)


def _json(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    data = cast(dict[str, Any], value)
    # MCP tools answer with content items; the JSON is inside the text item.
    if data.get("type") == "text" and isinstance(data.get("text"), str):
        return _json(data["text"])
    return data


def _summarize(output: tuple[str, str]) -> str:
    """A readable answer from a tool's JSON output (or its error text)."""
    name, text = output
    data = _json(text)
    if data is None:
        return f"Sorry, that did not work: {text}"
    if name == "issue_refund":
        done = "was already issued" if data.get("already_processed") else "is on its way"
        return (
            f"Your refund {data.get('refund_id')} of {data.get('amount_display')} on order "
            f"{data.get('order_id')} {done}."
        )
    if name == "search_help_centre":
        articles = cast(list[dict[str, Any]], data.get("articles") or [])
        if not articles:
            return "I could not find a help-centre article about that."
        top = articles[0]
        return f'From our help centre, "{top.get("title")}": {str(top.get("body", ""))[:300]}'
    if name == "track_shipment":
        eta = data.get("estimated_delivery") or data.get("delivered_on") or "not known yet"
        return (
            f"Order {data.get('order_id')} is {data.get('status')} with {data.get('carrier')}: "
            f"{data.get('latest_event')}. Delivery: {eta}."
        )
    if name == "list_recent_orders":
        orders = cast(list[dict[str, Any]], data.get("orders") or [])
        listed = "; ".join(
            f"{o.get('order_id')} ({o.get('status')}, {o.get('total_display')})" for o in orders
        )
        return f"Your recent orders: {listed or 'none'}. Which one is it about?"
    if name == "lookup_order":
        return (
            f"Order {data.get('order_id')} from {data.get('placed_on')} is {data.get('status')}, "
            f"total {data.get('total_display')}."
        )
    return f"Done: {text[:300]}"


class OfflineSupportModelProvider(ModelProvider):
    """Serves the offline demo model for every model name."""

    def __init__(self) -> None:
        self._model = OfflineSupportModel()

    def get_model(self, model_name: str | None) -> Model:
        return self._model
