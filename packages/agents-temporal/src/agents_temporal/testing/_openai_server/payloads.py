"""Tests: JSON bodies and server-sent events of the local OpenAI-compatible server.

Pure functions from a resolved answer to the payloads the OpenAI API sends: the Responses API
object and its streaming event sequence, and chat completions with their streamed chunks.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .replies import (
    RecordedRequest,
    StreamFailure,
    TextReply,
    ToolCallReply,
    count_tokens,
    split_tokens,
)

__all__ = [
    "Answer",
    "IdFactory",
    "SseEvent",
    "chat_body",
    "chat_chunks",
    "make_answer",
    "responses_body",
    "responses_events",
]

# Timestamps are fixed so that a scripted run yields the same payloads every time.
_CREATED_AT = 1_767_225_600  # 2026-01-01T00:00:00Z

JsonObject = dict[str, Any]


class IdFactory:
    """Numbers ids per prefix (`resp_0001`, `msg_0001`, ...), thread-safely."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: defaultdict[str, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )

    def next(self, prefix: str) -> str:
        """The next id with this prefix."""
        with self._lock:
            return f"{prefix}_{next(self._counters[prefix]):04d}"


@dataclass(frozen=True)
class _Call:
    item_id: str
    call_id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Answer:
    """A model turn with every id resolved and its usage counted."""

    text: str | None
    message_id: str
    calls: tuple[_Call, ...]
    input_tokens: int
    output_tokens: int

    @property
    def usage(self) -> JsonObject:
        """Responses API usage."""
        return {
            "input_tokens": self.input_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": self.output_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": self.input_tokens + self.output_tokens,
        }

    @property
    def chat_usage(self) -> JsonObject:
        """Chat completions usage."""
        return {
            "prompt_tokens": self.input_tokens,
            "completion_tokens": self.output_tokens,
            "total_tokens": self.input_tokens + self.output_tokens,
        }


@dataclass(frozen=True)
class SseEvent:
    """One server-sent event, and whether it carries a text delta."""

    data: JsonObject | str
    event: str | None = None
    is_text_delta: bool = False

    def encode(self) -> bytes:
        """The event in `text/event-stream` framing."""
        data = self.data if isinstance(self.data, str) else json.dumps(self.data)
        head = f"event: {self.event}\n" if self.event else ""
        return f"{head}data: {data}\n\n".encode()


def make_answer(
    reply: TextReply | ToolCallReply | StreamFailure, request: RecordedRequest, ids: IdFactory
) -> Answer:
    """Resolve a reply into an answer with ids and usage."""
    calls: tuple[_Call, ...] = ()
    if isinstance(reply, ToolCallReply):
        calls = tuple(
            _Call(ids.next("fc"), call.call_id or ids.next("call"), call.name, call.arguments_json)
            for call in reply.calls
        )
    output_tokens = count_tokens(reply.text or "") + sum(count_tokens(c.arguments) for c in calls)
    return Answer(
        text=reply.text,
        message_id=ids.next("msg"),
        calls=calls,
        input_tokens=count_tokens(request.input_text),
        output_tokens=output_tokens,
    )


def _text_part(text: str) -> JsonObject:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def _message_item(answer: Answer, text: str, status: str) -> JsonObject:
    content = [_text_part(text)] if status == "completed" else []
    return {
        "type": "message",
        "id": answer.message_id,
        "role": "assistant",
        "status": status,
        "content": content,
    }


def _call_item(call: _Call, arguments: str, status: str) -> JsonObject:
    return {
        "type": "function_call",
        "id": call.item_id,
        "call_id": call.call_id,
        "name": call.name,
        "arguments": arguments,
        "status": status,
    }


def _output(answer: Answer) -> list[JsonObject]:
    items = [_call_item(call, call.arguments, "completed") for call in answer.calls]
    if answer.text is not None:
        items.insert(0, _message_item(answer, answer.text, "completed"))
    return items


def responses_body(
    answer: Answer, request: JsonObject, response_id: str, *, done: bool = True
) -> JsonObject:
    """A Responses API `Response` object; `done=False` gives the in-progress shape."""
    return {
        "id": response_id,
        "object": "response",
        "created_at": _CREATED_AT,
        "status": "completed" if done else "in_progress",
        "model": request.get("model") or "test-model",
        "output": _output(answer) if done else [],
        "usage": answer.usage if done else None,
        "error": None,
        "incomplete_details": None,
        "instructions": request.get("instructions"),
        "metadata": request.get("metadata") or {},
        "parallel_tool_calls": request.get("parallel_tool_calls", True),
        "previous_response_id": request.get("previous_response_id"),
        "temperature": request.get("temperature"),
        "top_p": request.get("top_p"),
        "tool_choice": request.get("tool_choice", "auto"),
        "tools": request.get("tools") or [],
        "text": request.get("text") or {"format": {"type": "text"}},
    }


def responses_events(answer: Answer, request: JsonObject, response_id: str) -> Iterator[SseEvent]:
    """The Responses API streaming events for an answer, in the order the API sends them."""
    sequence = itertools.count()

    def event(kind: str, is_text_delta: bool = False, **fields: Any) -> SseEvent:
        data: JsonObject = {"type": kind, "sequence_number": next(sequence), **fields}
        return SseEvent(data, event=kind, is_text_delta=is_text_delta)

    yield event(
        "response.created", response=responses_body(answer, request, response_id, done=False)
    )
    yield event(
        "response.in_progress", response=responses_body(answer, request, response_id, done=False)
    )
    index = 0
    if answer.text is not None:
        where: JsonObject = {"item_id": answer.message_id, "output_index": index}
        yield event(
            "response.output_item.added",
            output_index=index,
            item=_message_item(answer, "", "in_progress"),
        )
        yield event("response.content_part.added", **where, content_index=0, part=_text_part(""))
        for token in split_tokens(answer.text):
            yield event(
                "response.output_text.delta",
                True,
                **where,
                content_index=0,
                delta=token,
                logprobs=[],
            )
        yield event(
            "response.output_text.done", **where, content_index=0, text=answer.text, logprobs=[]
        )
        yield event(
            "response.content_part.done", **where, content_index=0, part=_text_part(answer.text)
        )
        yield event(
            "response.output_item.done",
            output_index=index,
            item=_message_item(answer, answer.text, "completed"),
        )
        index += 1
    for call in answer.calls:
        where = {"item_id": call.item_id, "output_index": index}
        yield event(
            "response.output_item.added",
            output_index=index,
            item=_call_item(call, "", "in_progress"),
        )
        for token in split_tokens(call.arguments):
            yield event("response.function_call_arguments.delta", **where, delta=token)
        yield event(
            "response.function_call_arguments.done",
            **where,
            name=call.name,
            arguments=call.arguments,
        )
        yield event(
            "response.output_item.done",
            output_index=index,
            item=_call_item(call, call.arguments, "completed"),
        )
        index += 1
    yield event("response.completed", response=responses_body(answer, request, response_id))


def _tool_calls(answer: Answer) -> list[JsonObject]:
    return [
        {
            "id": call.call_id,
            "type": "function",
            "function": {"name": call.name, "arguments": call.arguments},
        }
        for call in answer.calls
    ]


def _finish_reason(answer: Answer) -> str:
    return "tool_calls" if answer.calls else "stop"


def chat_body(answer: Answer, model: str, completion_id: str) -> JsonObject:
    """A chat completions `ChatCompletion` object."""
    message: JsonObject = {"role": "assistant", "content": answer.text, "refusal": None}
    if answer.calls:
        message["tool_calls"] = _tool_calls(answer)
    choice = {"index": 0, "message": message, "finish_reason": _finish_reason(answer)}
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": _CREATED_AT,
        "model": model,
        "choices": [{**choice, "logprobs": None}],
        "usage": answer.chat_usage,
        "system_fingerprint": None,
    }


def chat_chunks(
    answer: Answer, model: str, completion_id: str, *, include_usage: bool
) -> Iterator[SseEvent]:
    """The chat completions streaming chunks for an answer, ending with `[DONE]`."""

    def chunk(
        delta: JsonObject, finish_reason: str | None = None, is_text_delta: bool = False
    ) -> SseEvent:
        data: JsonObject = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": _CREATED_AT,
            "model": model,
            "system_fingerprint": None,
            "choices": [
                {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
            ],
        }
        if include_usage:
            # The API sends `usage: null` on every chunk but the extra last one.
            data["usage"] = None
        return SseEvent(data, is_text_delta=is_text_delta)

    yield chunk({"role": "assistant", "content": "", "refusal": None})
    for token in split_tokens(answer.text or ""):
        yield chunk({"content": token}, is_text_delta=True)
    for index, call in enumerate(answer.calls):
        function = {"name": call.name, "arguments": ""}
        yield chunk(
            {
                "tool_calls": [
                    {"index": index, "id": call.call_id, "type": "function", "function": function}
                ]
            }
        )
        for token in split_tokens(call.arguments):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": token}}]})
    yield chunk({}, finish_reason=_finish_reason(answer))
    if include_usage:
        yield SseEvent(
            {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": _CREATED_AT,
                "model": model,
                "system_fingerprint": None,
                "choices": [],
                "usage": answer.chat_usage,
            }
        )
    yield SseEvent("[DONE]")
