"""The offline demo model: plays every support agent deterministically from keywords.

It makes the whole stack work with no API key: it routes to the right specialist, calls tools
with plausible arguments, answers from tool results, and trips the guardrails on obvious cases.
It is an `agents_temporal.offline.OfflineModel`: every response id starts with
``OFFLINE_RESPONSE_PREFIX``, so the console says when it answered.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

from agents import ModelResponse

from agents_temporal.offline import (
    OFFLINE_RESPONSE_PREFIX,
    OfflineModel,
    OfflineModelProvider,
    OfflineTurn,
    json_object,
)
from support_agents._agents import FAQ, ORDERS, REFUNDS, TRIAGE, instructions_header
from support_tools import parse_amount

__all__ = [
    "OFFLINE_RESPONSE_PREFIX",
    "OfflineSupportModel",
    "OfflineSupportModelProvider",
]

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


def _order_id(turn: OfflineTurn) -> str | None:
    for text in (turn.message, turn.instructions, turn.conversation):
        if match := _ORDER_ID.search(text):
            return f"ORD-{match.group(1)}"
    return None


def _customer_id(turn: OfflineTurn) -> str:
    match = _CUSTOMER_ID.search(turn.instructions)
    return match.group(0) if match else "CUST-1001"


def _search_arguments(turn: OfflineTurn, query: str) -> dict[str, Any]:
    """Arguments for search_help_centre: the activity takes a request, MCP flat fields."""
    tool = turn.tool("search_help_centre")
    if tool is not None and "request" not in tool.params_json_schema.get("properties", {}):
        return {"query": query}
    return {"request": {"query": query}}


def _agent(turn: OfflineTurn) -> str | None:
    """The calling agent; from its instructions' first line when the call does not say.

    Inside the model activity the call names its agent. Behind the HTTP test server (the real
    OpenAI client path) only the instructions tell the agents apart.
    """
    if turn.agent is not None:
        return turn.agent
    for agent in (TRIAGE, ORDERS, REFUNDS, FAQ):
        if turn.instructions.startswith(instructions_header(agent)):
            return agent
    return None


class OfflineSupportModel(OfflineModel):
    """A stand-in for a real model with deterministic answers, for demos and tests."""

    def respond(self, turn: OfflineTurn) -> ModelResponse:
        if turn.wants_structured_output:
            assert turn.output_schema is not None
            return self._verdict(turn.output_schema.name(), turn)
        plays = {
            TRIAGE: self._triage,
            ORDERS: self._orders,
            REFUNDS: self._refunds,
            FAQ: self._faq,
        }
        play = plays.get(_agent(turn) or "")
        if play is not None:
            return play(turn)
        return self.say(f"(offline demo model) You said: {turn.message}")

    def _verdict(self, schema: str, turn: OfflineTurn) -> ModelResponse:
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
        return self.say(json.dumps(verdict))

    def _triage(self, turn: OfflineTurn) -> ModelResponse:
        if turn.has("policy", "policies", "how do", "how long", "can i", "do you"):
            return self.hand_off(turn, FAQ)
        if turn.has("refund", "money back", "return"):
            return self.hand_off(turn, REFUNDS)
        if turn.has("order", "where", "track", "ship", "deliver", "address", "parcel"):
            return self.hand_off(turn, ORDERS)
        if turn.has("how", "policy", "can i", "do you", "what"):
            return self.hand_off(turn, FAQ)
        return self.say(
            "Hi! I can help with your orders, deliveries, refunds and store policies. "
            "What can I do for you?"
        )

    def _back_to_triage(self, turn: OfflineTurn, *off_desk: str) -> ModelResponse | None:
        """Hand back when the customer moves on, or asks for another desk's work."""
        if not turn.tool_outputs and (turn.has(*_BACK) or (off_desk and turn.has(*off_desk))):
            return self.hand_off(turn, TRIAGE)
        return None

    def _orders(self, turn: OfflineTurn) -> ModelResponse:
        if (back := self._back_to_triage(turn, "refund", "money back", "policy")) is not None:
            return back
        outputs = turn.tool_outputs
        order_id = _order_id(turn)
        if not outputs:
            customer = _customer_id(turn)
            if order_id is None:
                return self.call_tool("list_recent_orders", {"request": {"customer_id": customer}})
            tool = (
                "track_shipment"
                if turn.has("where", "track", "deliver", "ship")
                else "lookup_order"
            )
            return self.call_tool(
                tool, {"request": {"customer_id": customer, "order_id": order_id}}
            )
        return self.say(_summarize(outputs[-1]))

    def _refunds(self, turn: OfflineTurn) -> ModelResponse:
        if (back := self._back_to_triage(turn, "policy", "policies", "where", "track")) is not None:
            return back
        if not turn.tool_outputs and not turn.has("refund", "money back"):
            return self.hand_off(turn, TRIAGE)
        order_id = _order_id(turn)
        customer = _customer_id(turn)
        outputs = turn.tool_outputs
        if order_id is None:
            return self.say("Which order would you like a refund for? Its id looks like ORD-10042.")
        if not outputs:
            return self.call_tool(
                "lookup_order", {"request": {"customer_id": customer, "order_id": order_id}}
            )
        name, output = outputs[-1]
        if name == "issue_refund":
            return self.say(_summarize(outputs[-1]))
        order = json_object(output)
        if order is None:
            return self.say(output)
        try:
            requested = requested_cents(turn.message)
        except ValueError as error:
            return self.say(f"I could not read that amount: {error}.")
        cents = int(order.get("refundable_cents", 0)) if requested is None else requested
        return self.call_tool(
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

    def _faq(self, turn: OfflineTurn) -> ModelResponse:
        if (back := self._back_to_triage(turn, "refund", "order", "ord-", "track")) is not None:
            return back
        if not turn.tool_outputs:
            query = turn.message[:200]
            return self.call_tool("search_help_centre", _search_arguments(turn, query))
        return self.say(_summarize(turn.tool_outputs[-1]))


def _summarize(output: tuple[str, str]) -> str:
    """A readable answer from a tool's JSON output (or its error text)."""
    name, text = output
    data = json_object(text)
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


class OfflineSupportModelProvider(OfflineModelProvider):
    """Serves the offline demo model for every model name."""

    def __init__(self) -> None:
        super().__init__(OfflineSupportModel())
