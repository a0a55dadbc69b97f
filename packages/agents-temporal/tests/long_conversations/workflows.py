"""Workflows for long conversations, payload storage and encryption (also used by the bench).

Workflow classes live in their own module because the sandbox re-imports it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from agents import Agent, RunConfig, Runner
from temporalio import activity, workflow

from agents_temporal.workflow import (
    ConversationCompactor,
    WorkflowSession,
    activity_as_tool,
    reference_stored_items,
)

RESEARCHER = "Read the pages the user asks for, one at a time, then report."
SUMMARIZER = "You write summaries of conversations."
CHAT = "Answer the user briefly."

Compaction = Literal["off", "session", "filter"]


def page_text(turn: int, step: int, size: int) -> str:
    """The deterministic text of one page: a header, then filler unique to the page."""
    header = f"<page turn={turn} step={step} size={size}>"
    seed = hashlib.sha256(header.encode()).hexdigest()
    body = (seed * (size // len(seed) + 1))[: max(size - len(header), 0)]
    return header + body


@activity.defn
async def fetch_page(turn: int, step: int, size: int) -> str:
    """Fetch one page of a long document."""
    return page_text(turn, step, size)


@dataclass
class LongConversationInput:
    """A scripted research conversation: each turn reads pages, then answers."""

    turns: int
    pages_per_turn: int
    """Tool calls per turn; each turn makes ``pages_per_turn + 1`` model calls."""
    page_bytes: int
    compaction: Compaction = "off"
    compact_above_tokens: int = 0
    continue_after_turns: int | None = None
    """Continue as new after this many turns in one run (besides when Temporal suggests it)."""
    items: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])
    turns_done: int = 0
    runs: int = 1


@dataclass
class LongConversationResult:
    turns: int
    runs: int
    last_answer: str
    session_items: int
    compactions: int


def _agents(page_tool_timeout: timedelta) -> tuple[Agent[Any], Agent[Any]]:
    researcher = Agent[Any](
        name="Researcher",
        instructions=RESEARCHER,
        tools=[activity_as_tool(fetch_page, start_to_close_timeout=page_tool_timeout)],
    )
    summarizer = Agent[Any](name="Summarizer", instructions=SUMMARIZER)
    return researcher, summarizer


@workflow.defn
class LongConversation:
    """Many turns of tool-heavy research in one conversation, continuing as new when asked."""

    @workflow.run
    async def run(self, input: LongConversationInput) -> LongConversationResult:
        researcher, summarizer = _agents(timedelta(seconds=60))
        session = WorkflowSession(workflow.info().workflow_id, items=input.items)
        compactor = ConversationCompactor(summarizer, max_tokens=max(input.compact_above_tokens, 1))
        run_config = RunConfig(
            call_model_input_filter=compactor if input.compaction == "filter" else None
        )
        compactions = 0
        turns_this_run = 0
        last_answer = ""
        while input.turns_done < input.turns:
            if turns_this_run and (
                workflow.info().is_continue_as_new_suggested()
                or turns_this_run == input.continue_after_turns
            ):
                workflow.continue_as_new(
                    dataclasses.replace(
                        input,
                        # What model calls stored travels as one reference, not again whole.
                        items=reference_stored_items(session.export_items()),
                        runs=input.runs + 1,
                    )
                )
            turn = input.turns_done + 1
            message = f"Turn {turn}: read {input.pages_per_turn} pages of {input.page_bytes} bytes"
            result = await Runner.run(
                researcher,
                message,
                session=session,
                run_config=run_config,
                max_turns=input.pages_per_turn + 2,
            )
            last_answer = str(result.final_output)
            input.turns_done = turn
            turns_this_run += 1
            if input.compaction == "session" and await compactor.compact_session(session):
                compactions += 1
        return LongConversationResult(
            turns=input.turns_done,
            runs=input.runs,
            last_answer=last_answer,
            session_items=len(session),
            compactions=compactions,
        )


@workflow.defn
class EncryptedChat:
    """A chat that stays open for messages (updates) until it is closed (signal)."""

    @workflow.init
    def __init__(self, first_message: str) -> None:
        self._session = WorkflowSession("chat")
        self._agent = Agent[Any](name="Chat", instructions=CHAT)
        self._answers: list[str] = []
        self._closed = False
        self._ready = False
        # One turn at a time: messages sent while a turn runs wait for it.
        self._turn = asyncio.Lock()

    @workflow.run
    async def run(self, first_message: str) -> list[str]:
        await self._take_turn(first_message)
        self._ready = True
        await workflow.wait_condition(lambda: self._closed and workflow.all_handlers_finished())
        return self._answers

    @workflow.update
    async def send(self, message: str) -> str:
        # Messages sent before the first turn ends wait for it, so turns keep their order.
        await workflow.wait_condition(lambda: self._ready)
        return await self._take_turn(message)

    async def _take_turn(self, message: str) -> str:
        async with self._turn:
            result = await Runner.run(self._agent, message, session=self._session)
            self._answers.append(str(result.final_output))
            return self._answers[-1]

    @workflow.signal
    def close(self) -> None:
        self._closed = True


WORKFLOWS: list[type] = [LongConversation, EncryptedChat]
ACTIVITIES: list[Any] = [fetch_page]
