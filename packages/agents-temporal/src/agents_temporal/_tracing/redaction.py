"""Both sides: what a failure may say where content must stay out (exported spans, logs).

An exception's text can quote a customer (a provider echoing the prompt, a tool raising with
its arguments) or carry a secret (an API key in a URL, an ``Authorization`` header echoed in an
error). One rule serves every place that must not show it: a failure keeps its type, the names
of what failed and the Agents SDK's own fixed messages; any other text says `REDACTED`. Failed
spans follow it when trace content is off (`redacted_error`); log lines follow it always, with
`RedactingFormatter`.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from temporalio.exceptions import ApplicationError

if TYPE_CHECKING:
    # Typing only: a process that just logs (the worker's health check) need not load the
    # Agents SDK for its formatter; a span error is a plain dict at run time.
    from agents.tracing import SpanError

REDACTED = "details redacted"
"""The mark that stands where a failure's text was left out."""

REDACTED_ERROR_TEXT = f"{REDACTED}: trace content is off"
"""What a redacted span error says in place of the exception's text."""

REDACTED_LOG_TEXT = f"{REDACTED}: logs never show exception text"
"""What a log line says in place of an exception's text."""

# The Agents SDK's and Temporal's own error messages that are fixed text (what went wrong,
# never with what); any other message may quote content and is replaced. A message missing
# here after an upgrade is only less informative, never leaked.
FIXED_MESSAGES = frozenset(
    {
        "Activity task failed",
        "Error getting response",
        "Error in agent run",
        "Error running tool",
        "Error running tool (non-fatal)",
        "Error streaming response",
        "Guardrail tripwire triggered",
        "Handoff function expected non-null input, but got None",
        "Invalid JSON",
        "Invalid JSON provided",
        "Max turns exceeded",
        "Multiple handoffs requested",
        "Tool execution cancelled",
        "Tool execution rejected",
        "Tool not found",
    }
)

# Error data that names what failed rather than quoting it; "type" is an exception's class
# name (our interceptor records it).
_NAMING_KEYS = ("type", "agent_name", "tool_name", "guardrail")

# Text shorter than this is not searched for in a log message: it cannot hold a secret or a
# sentence, and replacing it would garble the message around it.
_SHORTEST_QUOTE = 8


def redacted_error(error: SpanError) -> SpanError:
    """``error`` without text that may quote content: its type and names, fixed messages.

    Args:
        error: A span's error as the Agents SDK or our interceptor recorded it.

    Returns:
        The error to export: the message when it is one of the fixed messages, otherwise the
        exception's type and `REDACTED_ERROR_TEXT`; of its data only names and the type.
    """
    data = error.get("data") or {}
    kept = {key: data[key] for key in _NAMING_KEYS if isinstance(data.get(key), str)}
    message = error.get("message", "")
    if message not in FIXED_MESSAGES:
        kind = kept.get("type")
        message = f"{kind} ({REDACTED_ERROR_TEXT})" if kind else f"Error ({REDACTED_ERROR_TEXT})"
    redacted: SpanError = {"message": message, "data": kept or None}
    return redacted


def redacted_exception_text(error: BaseException) -> str:
    """What a log may say of ``error``'s text: a fixed message as it is, else the mark.

    A Temporal ``ApplicationError`` keeps its ``type`` too (the class name of the exception an
    activity raised), which is a name, not content.
    """
    text = str(error)
    if text in FIXED_MESSAGES:
        return text
    if isinstance(error, ApplicationError) and error.type:
        return f"{error.type} ({REDACTED_LOG_TEXT})"
    return REDACTED_LOG_TEXT


def _type_name(error: BaseException) -> str:
    kind = type(error)
    if kind.__module__ in ("builtins", "__main__"):
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    """``error``, its causes and contexts, and the members of exception groups, each once."""
    seen: set[int] = set()
    waiting = [error] if error is not None else []
    while waiting:
        current = waiting.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        waiting.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        waiting.extend(_members(current))


def _members(error: BaseException) -> tuple[BaseException, ...]:
    """The exceptions an exception group holds; none for any other exception."""
    if isinstance(error, BaseExceptionGroup):
        return cast(tuple[BaseException, ...], error.exceptions)
    return ()


_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]

_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def _traceback_lines(error: BaseException, seen: set[int]) -> list[str]:
    """A traceback as Python prints it, with every exception's text redacted."""
    seen.add(id(error))
    lines: list[str] = []
    cause, context = error.__cause__, error.__context__
    if cause is not None and id(cause) not in seen:
        lines += [*_traceback_lines(cause, seen), _CAUSE]
    elif context is not None and not error.__suppress_context__ and id(context) not in seen:
        lines += [*_traceback_lines(context, seen), _CONTEXT]
    trace: TracebackType | None = error.__traceback__
    if trace is not None:
        # Frames name files, lines and functions, and show source lines: code, not data.
        lines += ["Traceback (most recent call last):\n", *traceback.format_tb(trace)]
    lines.append(f"{_type_name(error)}: {redacted_exception_text(error)}\n")
    for number, member in enumerate(_members(error), 1):
        lines.append(f"  +---------------- {number} ----------------\n")
        member_lines = "".join(_traceback_lines(member, seen)).splitlines(keepends=True)
        lines += [f"  | {line}" for line in member_lines]
    return lines


def _redacted(value: object) -> object:
    """``value``, or an exception's type and redacted text in its place."""
    if isinstance(value, BaseException):
        return f"{_type_name(value)}: {redacted_exception_text(value)}"
    return value


def _redacted_args(args: Any) -> Any:
    """A log record's arguments with every exception among them turned into its redacted text."""
    if isinstance(args, tuple):
        return tuple(_redacted(value) for value in cast(tuple[object, ...], args))
    if isinstance(args, Mapping):
        return {key: _redacted(value) for key, value in cast(Mapping[str, object], args).items()}
    return args


class RedactingFormatter(logging.Formatter):
    """A log formatter whose lines never show an exception's text.

    The rule is the one failed spans follow when trace content is off: a failure keeps its
    type, where it was raised (the traceback's frames), Temporal's error type and the fixed
    messages of the Agents SDK and Temporal; its text, and its text quoted in the message
    (``logger.error("call failed: %s", error)``), read `REDACTED_LOG_TEXT`.

    Example:
        ```python
        handler = logging.StreamHandler()
        handler.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
        logging.getLogger().addHandler(handler)
        ```
    """

    def format(self, record: logging.LogRecord) -> str:
        """The record's line, on a copy: other handlers of the same record see it unchanged."""
        error = record.exc_info[1] if record.exc_info else None
        # An exception logged as the message itself (``logger.error(error)``) counts as one.
        template = _redacted(record.msg)
        message = str(template if not record.args else template % _redacted_args(record.args))
        for quoted in _chain(error):
            text = str(quoted)
            if len(text) >= _SHORTEST_QUOTE and text not in FIXED_MESSAGES:
                message = message.replace(text, f"[{REDACTED}]")
        copy = logging.makeLogRecord(record.__dict__)
        # A text another handler formatted earlier would be the unredacted one.
        copy.msg, copy.args, copy.exc_text = message, None, None
        return super().format(copy)

    def formatException(self, ei: _ExcInfo) -> str:
        """The traceback of ``ei`` with every exception's text redacted."""
        error = ei[1]
        if error is None:
            return ""
        return "".join(_traceback_lines(error, set())).rstrip("\n")
