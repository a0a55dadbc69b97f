"""A terminal chat with a running worker: multi-turn, shows handoffs and tools, asks approvals."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import uuid
from collections.abc import Callable, Generator
from typing import Any, TextIO, cast

from temporalio.client import Client

from agents_temporal.apps import AgentApp
from agents_temporal.client import ConversationHandle, ConversationRefused
from agents_temporal.workflow import PendingApproval, TranscriptEntry, TurnResult

_SHOWN = {
    "handoff",
    "tool_call",
    "tool_output",
    "approval_decision",
    "turn_failed",
    "turn_stopped",
}
_ICONS = {
    "handoff": "->",
    "tool_call": "tool",
    "tool_output": "  =",
    "approval_decision": "ok?",
    "turn_failed": "!!",
    "turn_stopped": "[]",
}
_APPROVE_PROMPT = "  approve? [y]es / [n]o / [e]dit / [s]top the turn: "
_STOP_REASON = "stopped from the terminal chat"

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
        self._stop_requested = asyncio.Event()

    def request_stop(self) -> None:
        """Stop the turn being answered now (what Ctrl-C does while the agent works)."""
        self._stop_requested.set()

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
            answer = (await self._ask(_APPROVE_PROMPT)).strip().lower()
            try:
                if answer in {"s", "stop"}:
                    return await self._conversation.stop(
                        operator=self._operator, reason=_STOP_REASON, turn=approval.turn
                    )
                if answer in {"y", "yes"}:
                    return await self._conversation.approve(approval.id, operator=self._operator)
                if answer in {"n", "no"}:
                    reason = await self._ask("  reason: ")
                    return await self._conversation.reject(
                        approval.id, operator=self._operator, reason=reason, message=reason
                    )
                if answer in {"e", "edit"}:
                    edited = await self._edited(approval)
                    if edited is not None:
                        return await self._conversation.approve(
                            approval.id, operator=self._operator, arguments=edited
                        )
            except ConversationRefused as error:
                self._say(f"  {error}")

    async def _edited(self, approval: PendingApproval) -> dict[str, Any] | None:
        """The operator's edited arguments, checked against the tool's schema (None: refused).

        The starting point has every property of the schema (optional ones as null), as the
        console's editor does: arguments the model wrote may leave out a required one.
        """
        current = json.dumps(approval.editable_arguments(), ensure_ascii=False)
        self._say(f"  arguments: {current}")
        text = await self._ask("  edited arguments as JSON (one line): ")
        try:
            value: Any = json.loads(text)
        except ValueError as error:
            self._say(f"  not valid JSON ({error}): nothing was decided, answer again")
            return None
        if not isinstance(value, dict):
            self._say("  the arguments must be a JSON object ({...}): answer again")
            return None
        arguments = cast(dict[str, Any], value)
        problems = approval.argument_problems(arguments)
        if problems:
            self._say(
                f"  {approval.tool} would refuse these arguments: {'; '.join(problems)}: "
                "answer again"
            )
            return None
        return arguments

    async def _report(self, result: TurnResult) -> None:
        while True:
            await self._show_new_entries()
            if result.status == "awaiting_approval" and result.pending_approvals:
                result = await self._decide(result.pending_approvals[0])
                continue
            if result.status == "failed":
                self._say(f"{result.agent}: {result.error}")
            elif result.status == "stopped":
                self._say(f"  (turn {result.turn} stopped by {result.stopped_by})")
            elif result.reply:
                self._say(f"{result.agent}: {result.reply}")
            return

    async def run(self) -> None:
        """Chat until end of input or ``/quit``."""
        self._say(
            f"conversation {self._conversation.workflow_id} (Ctrl-C stops the agent's turn; "
            "type /quit to leave)"
        )
        while True:
            try:
                text = await self._ask("you> ")
            except EOFError:
                break
            if text.strip() in {"/quit", "/exit"}:
                break
            try:
                result = await self._send(text)
            except ConversationRefused as refused:
                self._say(f"  refused: {refused}")
                continue
            await self._report(result)
        self._say(f"bye: resume with `worker chat --conversation {self._conversation.workflow_id}`")

    async def _send(self, text: str) -> TurnResult:
        """Send ``text`` and wait for the turn's end; Ctrl-C meanwhile stops the turn."""
        self._stop_requested.clear()
        sending = asyncio.create_task(self._conversation.send(text))
        with _stop_on_ctrl_c(self.request_stop):
            stopping = asyncio.create_task(self._stop_requested.wait())
            try:
                await asyncio.wait({sending, stopping}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopping.cancel()
            if sending.done():
                return sending.result()
            self._say("  stopping the turn...")
            try:
                await self._conversation.stop(operator=self._operator, reason=_STOP_REASON)
            except ConversationRefused:
                pass  # the turn ended on its own meanwhile: its own outcome follows
            return await sending


@contextlib.contextmanager
def _stop_on_ctrl_c(stop: Callable[[], None]) -> Generator[None]:
    # While the agent works, Ctrl-C stops its turn instead of ending the chat. Only the main
    # thread's loop can take signals; elsewhere (tests) Ctrl-C keeps its usual meaning.
    loop = asyncio.get_running_loop()
    previous = signal.getsignal(signal.SIGINT)
    try:
        loop.add_signal_handler(signal.SIGINT, stop)
    except (NotImplementedError, RuntimeError, ValueError):
        installed = False
    else:
        installed = True
    try:
        yield
    finally:
        if installed:
            loop.remove_signal_handler(signal.SIGINT)
            if previous is not None:
                # asyncio.run's own handler, which turns a Ctrl-C at the prompt into an exit.
                signal.signal(signal.SIGINT, previous)


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
