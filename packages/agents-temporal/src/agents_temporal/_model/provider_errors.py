"""Activity side: model provider failures classified into retry and fail-fast."""

from __future__ import annotations

import email.utils
import json
from datetime import UTC, datetime, timedelta

import openai
from agents.exceptions import UserError
from temporalio.exceptions import ApplicationError

from .._errors import MODEL_PROVIDER_ERROR

_RETRYABLE_STATUSES = frozenset({408, 409, 429})
API_STATUS_ERROR = "APIStatusError"
"""ApplicationError type of a model call the provider answered with an HTTP error, as in the
published integration (retry policies name it in ``non_retryable_error_types``)."""
_MAX_MESSAGE = 2_000


def _status_of(error: BaseException) -> int | None:
    if isinstance(error, openai.APIStatusError):
        return error.status_code
    # LiteLLM and other clients expose the HTTP status the same way without sharing a base class.
    status = getattr(error, "status_code", None)
    return status if isinstance(status, int) else None


def _header(error: BaseException, name: str) -> str | None:
    # OpenAI's client (httpx2) and LiteLLM (httpx) both hang the HTTP response on the error.
    headers = getattr(getattr(error, "response", None), "headers", None)
    if headers is None:
        return None
    value = headers.get(name)
    return value if isinstance(value, str) else None


def retry_after(error: BaseException) -> timedelta | None:
    """The delay a provider asked for, from ``retry-after-ms`` or ``retry-after``."""
    if (ms := _header(error, "retry-after-ms")) is not None:
        try:
            return timedelta(milliseconds=max(0.0, float(ms)))
        except ValueError:
            pass
    value = _header(error, "retry-after")
    if value is None:
        return None
    try:
        return timedelta(seconds=max(0.0, float(value)))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(timedelta(0), when - datetime.now(UTC))


def _message(error: BaseException) -> str:
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE] + "..."


def is_retryable(error: BaseException) -> bool:
    """Whether retrying the same model request may succeed."""
    status = _status_of(error)
    if status is not None:
        # The provider may say itself whether the request is worth sending again.
        should_retry = _header(error, "x-should-retry")
        if should_retry in ("true", "false"):
            return should_retry == "true"
        return status in _RETRYABLE_STATUSES or status >= 500
    # A body that is not JSON is usually a proxy or gateway hiccup, not a bad request.
    if isinstance(
        error, openai.APIConnectionError | ConnectionError | TimeoutError | json.JSONDecodeError
    ):
        return True
    # A missing key, a bad client configuration or a misused model will not fix itself.
    return not isinstance(error, openai.OpenAIError | ValueError | TypeError | UserError)


def classify(error: BaseException, model_name: str | None) -> ApplicationError:
    """Turn a provider exception into the ApplicationError the model activity raises.

    Retryable failures keep Temporal's retry policy in charge (honouring ``retry-after``);
    the others are non-retryable so the workflow hears about them at once. An HTTP error's
    type is ``APIStatusError``, any other's ``ModelProviderError`` (``.Retryable``).
    """
    status = _status_of(error)
    what = f"HTTP {status}" if status is not None else type(error).__name__
    model = model_name or "the default model"
    if is_retryable(error):
        return ApplicationError(
            f"Model call to {model} failed ({what}), will retry: {_message(error)}",
            type=API_STATUS_ERROR if status is not None else f"{MODEL_PROVIDER_ERROR}.Retryable",
            next_retry_delay=retry_after(error),
        )
    hint = ""
    if status == 401:
        hint = " Check the API key the worker uses (OPENAI_API_KEY)."
    elif status == 404:
        hint = " Check the model name."
    return ApplicationError(
        # The provider's message may end a sentence already.
        f"Model call to {model} failed ({what}): {_message(error).rstrip('.')}.{hint}",
        type=API_STATUS_ERROR if status is not None else MODEL_PROVIDER_ERROR,
        non_retryable=True,
    )
