"""The terminal chat: multi-turn, handoffs and tool calls shown, approvals asked inline."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator

from agent_worker._chat import ReadLine, TerminalChat, open_conversation
from support_agents import app
from tests.support.conftest import SupportStack


def scripted(lines: list[str]) -> tuple[list[str], ReadLine]:
    prompts: list[str] = []
    answers: Iterator[str] = iter(lines)

    def read_line(prompt: str) -> str:
        prompts.append(prompt)
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    return prompts, read_line


async def test_chat_with_inline_approval(stack: SupportStack) -> None:
    prompts, read_line = scripted(
        [
            "",  # refused: empty message, and the chat goes on
            "I want a refund of $150 on order ORD-10042",
            "maybe",  # not an answer: asked again
            "y",
            "What is your return policy?",
        ]
    )
    out = io.StringIO()
    conversation = await open_conversation(stack.client, app, stack.task_queue, None)
    chat = TerminalChat(conversation, operator="maya-ops", read_line=read_line, out=out)
    await chat.run()
    text = out.getvalue()
    assert "refused: " in text
    assert "-> " in text and "Refunds" in text
    assert "approval needed: Refunds wants issue_refund(" in text
    assert prompts.count("  approve? [y]es / [n]o / [e]dit / [s]top the turn: ") == 2
    assert "approved by maya-ops" in text
    assert "Refunds: Your refund" in text
    assert "FAQ: From our help centre" in text
    assert text.rstrip().endswith(f"worker chat --conversation {conversation.workflow_id}`")
    assert [cents for _, cents in await stack.refunds("ORD-10042")] == [15000]


async def test_chat_stops_a_turn_waiting_for_approval(stack: SupportStack) -> None:
    _, read_line = scripted(
        [
            "I want a refund of $150 on order ORD-10042",
            "s",  # stop the turn instead of deciding
            "What is your return policy?",
        ]
    )
    out = io.StringIO()
    conversation = await open_conversation(stack.client, app, stack.task_queue, None)
    chat = TerminalChat(conversation, operator="maya-ops", read_line=read_line, out=out)
    await chat.run()
    text = out.getvalue()
    assert "rejected because maya-ops stopped the turn" in text
    assert "[] maya-ops stopped turn 1: stopped from the terminal chat" in text
    assert "(turn 1 stopped by maya-ops)" in text
    # The next message is answered as usual, and nothing was refunded.
    assert "FAQ: From our help centre" in text
    assert await stack.refunds("ORD-10042") == []


async def test_chat_edits_the_arguments_checked_against_the_schema(stack: SupportStack) -> None:
    out = io.StringIO()
    prompts: list[str] = []

    def with_new_amount() -> str:
        # As an operator would: take the arguments the chat showed, change only the amount.
        shown = out.getvalue().rsplit("  arguments: ", 1)[1].splitlines()[0]
        arguments = json.loads(shown)
        arguments["request"]["amount_cents"] = 12000
        return json.dumps(arguments)

    answers: list[str | Callable[[], str]] = [
        "I want a refund of $150 on order ORD-10042",
        "e",
        "{not json",  # refused, nothing decided, asked again
        "e",
        '{"request": {"order_id": "ORD-10042"}}',  # the schema refuses it: asked again
        "e",
        with_new_amount,
    ]

    def read_line(prompt: str) -> str:
        prompts.append(prompt)
        if not answers:
            raise EOFError
        answer = answers.pop(0)
        return answer if isinstance(answer, str) else answer()

    conversation = await open_conversation(stack.client, app, stack.task_queue, None)
    chat = TerminalChat(conversation, operator="maya-ops", read_line=read_line, out=out)
    await chat.run()
    text = out.getvalue()
    assert "not valid JSON (" in text
    assert "issue_refund would refuse these arguments: " in text
    # Every property of the schema is offered, the refund key the model left out too.
    assert '"refund_key": null' in text
    assert "approved with edited arguments by maya-ops" in text
    assert prompts.count("  approve? [y]es / [n]o / [e]dit / [s]top the turn: ") == 3
    assert [cents for _, cents in await stack.refunds("ORD-10042")] == [12000]
