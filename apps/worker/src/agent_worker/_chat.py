"""A terminal chat with a running worker: multi-turn, shows handoffs and tools, asks approvals."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any, TextIO

from temporalio.client import Client

from agents_temporal.apps import AgentApp
from agents_temporal.client import ConversationHandle, ConversationRefused
from agents_temporal.workflow import PendingApproval, TranscriptEntry, TurnResult

_SHOWN = {"handoff", "tool_call", "tool_output", "approval_decision", "turn_failed"}
_ICONS = {
    "handoff": "->",
    "tool_call": "tool",
    "tool_output": "  =",
    "approval_decision": "ok?",
    "turn_failed": "!!",
}

_MAX_LINE = 160

ReadLine = Callable[[str], str]
"""Reads one line after printing a prompt; raises EOFError at the end of input."""


class TerminalChat:
    """Drives one conversation from a terminal (or any line reader, for tests)."""

    def __init__(
        self,
        conversation: ConversationHandle,
        *,
        operator: str,
        read_line: ReadLine,
        out: TextIO,
    ) -> None:
        self._conversation = conversation
        self._operator = operator
        self._read = read_line
        self._out = out
        self._seen = 0

    def _say(self, text: str) -> None:
        print(text, file=self._out, flush=True)

    async def _ask(self, prompt: str) -> str:
        # input() blocks; keep the event loop (and the Temporal client) responsive meanwhile.
        return await asyncio.to_thread(self._read, prompt)

    async def _show_new_entries(self) -> None:
        entries: list[TranscriptEntry] = await self._conversation.transcript(self._seen)
        self._seen += len(entries)
        for entry in entries:
            if entry.kind in _SHOWN:
                text = (
                    entry.text if len(entry.text) <= _MAX_LINE else entry.text[:_MAX_LINE] + "..."
                )
                self._say(f"  {_ICONS[entry.kind]} {text}")

    async def _decide(self, approval: PendingApproval) -> TurnResult:
        # The arguments are the JSON text the model wrote.
        call = f"{approval.tool}({approval.arguments})"
        self._say(f"  approval needed: {approval.agent} wants {call}")
        while True:
            answer = (await self._ask("  approve? [y]es / [n]o / [e]dit: ")).strip().lower()
            try:
                if answer in {"y", "yes"}:
                    return await self._conversation.approve(approval.id, operator=self._operator)
                if answer in {"n", "no"}:
                    reason = await self._ask("  reason: ")
                    return await self._conversation.reject(
                        approval.id, operator=self._operator, reason=reason, message=reason
                    )
                if answer in {"e", "edit"}:
                    edited = json.loads(await self._ask("  arguments as JSON: "))
                    return await self._conversation.approve(
                        approval.id, operator=self._operator, arguments=edited
                    )
            except (ConversationRefused, json.JSONDecodeError) as error:
                self._say(f"  {error}")

    async def _report(self, result: TurnResult) -> None:
        while True:
            await self._show_new_entries()
            if result.status == "awaiting_approval" and result.pending_approvals:
                result = await self._decide(result.pending_approvals[0])
                continue
            if result.status == "failed":
                self._say(f"{result.agent}: {result.error}")
            elif result.reply:
                self._say(f"{result.agent}: {result.reply}")
            return

    async def run(self) -> None:
        """Chat until end of input or ``/quit``."""
        self._say(f"conversation {self._conversation.workflow_id} (type /quit to leave)")
        while True:
            try:
                text = await self._ask("you> ")
            except EOFError:
                break
            if text.strip() in {"/quit", "/exit"}:
                break
            try:
                result = await self._conversation.send(text)
            except ConversationRefused as refused:
                self._say(f"  refused: {refused}")
                continue
            await self._report(result)
        self._say(f"bye: resume with `worker chat --conversation {self._conversation.workflow_id}`")


async def open_conversation(
    client: Client, app: AgentApp[Any], task_queue: str, conversation_id: str | None
) -> ConversationHandle:
    """Resume ``conversation_id``, or start a new conversation of ``app``."""
    if conversation_id:
        return ConversationHandle(client, conversation_id)
    return await ConversationHandle.start(
        client,
        app.conversation_workflow.run,  # type: ignore[attr-defined]
        id=f"{app.name}-{uuid.uuid4()}",  # noqa: TID251 - an id, not workflow code
        task_queue=task_queue,
    )
