"""Tests: scripted replies and recorded requests of the local OpenAI-compatible server."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias, cast

__all__ = [
    "ErrorReply",
    "HangReply",
    "MalformedReply",
    "RecordedRequest",
    "Reply",
    "Responder",
    "StreamFailure",
    "TextReply",
    "ToolCall",
    "ToolCallReply",
    "count_tokens",
    "split_tokens",
]

# A token is a run of non-space characters with the whitespace around it, so that the deltas
# of a streamed answer concatenate back to exactly the scripted text.
_TOKEN = re.compile(r"\s*\S+\s*")

# Keys whose string values are conversation text (message contents, content parts, tool-call
# arguments and tool outputs) when counting a request's input tokens.
_TEXT_KEYS = frozenset({"content", "text", "arguments", "output"})


def split_tokens(text: str) -> list[str]:
    """Split text into the deltas the server streams: words with their surrounding whitespace.

    Args:
        text: The text to split.

    Returns:
        The tokens; `"".join(split_tokens(text)) == text` always holds.
    """
    tokens = _TOKEN.findall(text)
    if not tokens and text:
        # Whitespace-only text still streams, as one delta.
        return [text]
    return tokens


def count_tokens(text: str) -> int:
    """Count tokens the way the server reports usage: whitespace-separated words.

    Args:
        text: The text to count.

    Returns:
        The number of whitespace-separated words in `text`.
    """
    return len(text.split())


@dataclass(frozen=True)
class ToolCall:
    """One function call the scripted model makes."""

    name: str
    """The name of the function tool to call."""

    arguments: str | Mapping[str, Any] = "{}"
    """The call's arguments: a JSON string sent as is, or a mapping serialized to JSON."""

    call_id: str | None = None
    """The call id the model reports; `None` lets the server number it (`call_0001`, ...)."""

    @property
    def arguments_json(self) -> str:
        """The arguments as the JSON string the server sends."""
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments)


@dataclass(frozen=True)
class TextReply:
    """A plain assistant message."""

    text: str
    """The message text; streamed as one delta per token (see `split_tokens`)."""


@dataclass(frozen=True)
class ToolCallReply:
    """An assistant turn that calls one or more function tools, optionally with text first."""

    calls: Sequence[ToolCall]
    """The function calls, in order; a list given here is stored as a tuple."""

    text: str | None = None
    """Optional message text the model emits before its calls."""

    def __post_init__(self) -> None:
        # A frozen reply must not change under the server if the caller mutates its list.
        object.__setattr__(self, "calls", tuple(self.calls))


_ERROR_DEFAULTS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "The request is invalid (scripted test error)."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    403: ("permission_error", None, "You are not allowed to do this (scripted test error)."),
    404: ("invalid_request_error", "model_not_found", "The model does not exist."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached (scripted test error)."),
}


@dataclass(frozen=True)
class ErrorReply:
    """An HTTP error response, answered before any streaming starts."""

    status: int
    """The HTTP status code, e.g. 400, 401, 429 or 500."""

    body: Mapping[str, Any] | str | None = None
    """The body: a mapping sent as JSON, a string sent as `text/plain`, or `None` for an
    OpenAI-style `{"error": {...}}` body that matches the status."""

    headers: Mapping[str, str] = field(default_factory=dict[str, str])
    """Extra response headers (e.g. `retry-after`); they override the default content type."""

    @classmethod
    def rate_limit(cls, retry_after: float = 1) -> ErrorReply:
        """A 429 with a `retry-after` header, as the OpenAI API sends when rate limited.

        Args:
            retry_after: Seconds the client should wait, sent in the `retry-after` header.

        Returns:
            The scripted reply.
        """
        seconds = str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
        return cls(429, headers={"retry-after": seconds})

    def error_body(self) -> Mapping[str, Any] | str:
        """The body the server sends: `body`, or an OpenAI-style error for the status."""
        if self.body is not None:
            return self.body
        default = ("server_error", None, "The server had an error processing your request.")
        if self.status < 500:
            default = ("invalid_request_error", None, f"Scripted test error {self.status}.")
        kind, code, message = _ERROR_DEFAULTS.get(self.status, default)
        return {"error": {"message": message, "type": kind, "param": None, "code": code}}


@dataclass(frozen=True)
class MalformedReply:
    """A 200 response whose body is not valid JSON, as from a broken proxy.

    For a streamed request the body is the data of one server-sent event in an otherwise
    well-formed `text/event-stream`, so the client fails decoding that event.
    """

    body: str = '{"id": "resp_truncated", "output": ['
    """The raw body sent."""

    content_type: str = "application/json"
    """The `content-type` header of a plain (not streamed) answer; the default claims JSON so
    the client tries to parse it."""


@dataclass(frozen=True)
class HangReply:
    """Accept the request and answer nothing, so the client's timeout fires.

    The server waits `seconds` (or until it stops, whichever comes first) and then closes the
    connection without a response. Stopping the server never waits for a hanging request.
    """

    seconds: float = 60.0
    """How long to hold the connection open before closing it."""


@dataclass(frozen=True)
class StreamFailure:
    """A streamed answer whose connection drops after `after_tokens` text deltas.

    The final event (`response.completed`, or the chat `finish_reason` chunk and `[DONE]`) is
    never sent, even when the text has fewer tokens than `after_tokens`. For a request that did
    not ask to stream, the connection closes before any response.
    """

    after_tokens: int
    """How many text deltas are sent before the connection drops."""

    text: str = "This streamed answer is cut short by a dropped connection."
    """The text whose first deltas are streamed."""


Reply: TypeAlias = (
    TextReply | ToolCallReply | ErrorReply | MalformedReply | HangReply | StreamFailure
)
"""Anything the server can be scripted to answer."""


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received, recorded before it was answered."""

    path: str
    """The request path, including any query string, e.g. `/v1/responses`."""

    method: str
    """The HTTP method, e.g. `POST`."""

    headers: Mapping[str, str]
    """The request headers, with lower-case names."""

    body_json: dict[str, Any] | None
    """The decoded JSON body, or `None` when there is no body or it is not a JSON object."""

    received_at: float
    """When the request arrived, on the `time.monotonic()` clock."""

    streamed: bool
    """Whether the request asked for a streamed answer (`"stream": true`)."""

    @property
    def model(self) -> str | None:
        """The `model` the request names, if any."""
        model = (self.body_json or {}).get("model")
        return model if isinstance(model, str) else None

    @property
    def last_user_text(self) -> str | None:
        """The text of the last user message (Responses `input` or chat `messages`), if any."""
        body = self.body_json or {}
        conversation = body.get("messages", body.get("input"))
        if isinstance(conversation, str):
            return conversation
        if not isinstance(conversation, list):
            return None
        for item in reversed(cast(list[object], conversation)):
            if isinstance(item, dict):
                message = cast(dict[str, object], item)
                if message.get("role") == "user":
                    return "".join(_texts(message.get("content")))
        return None

    @property
    def input_text(self) -> str:
        """All conversation text of the request, space-joined; its word count is `input_tokens`.

        That is the instructions, message contents, tool-call arguments and tool outputs of a
        Responses request, or the message contents and tool-call arguments of a chat request.
        """
        body = self.body_json or {}
        parts: list[str] = []
        for key in ("instructions", "input", "messages"):
            value = body.get(key)
            parts.extend([value] if isinstance(value, str) else _texts(value))
        return " ".join(parts)


def _texts(value: object, key: str = "content") -> list[str]:
    """Collect the conversation strings nested in a request fragment."""
    if isinstance(value, str):
        return [value] if key in _TEXT_KEYS else []
    if isinstance(value, list):
        return [text for element in cast(list[object], value) for text in _texts(element, key)]
    if isinstance(value, dict):
        children = cast(dict[str, object], value)
        return [text for child_key, child in children.items() for text in _texts(child, child_key)]
    return []


Responder: TypeAlias = Callable[[RecordedRequest], Reply]
"""Decides the reply to a request when the script is empty."""
