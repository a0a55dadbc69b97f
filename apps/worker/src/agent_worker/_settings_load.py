"""Loading settings with one readable error message instead of a pydantic traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic_settings
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from agent_worker._settings import SECRET_FIELDS, Settings

DEFAULT_ENV_FILE = Path(".env")
"""The optional dotenv file read from the current directory."""

# What to write instead, for the errors whose pydantic message says only what went wrong.
_EXPECTED: dict[str, str] = {
    "TEMPORAL_TLS": "true or false, or unset it to decide from the credentials",
    "REFUND_APPROVAL_THRESHOLD": "a non-negative amount such as 100 or 49.99",
    "REFUND_HARD_CAP": "a positive amount such as 500 or 249.99",
    "PAYLOAD_STORAGE_THRESHOLD_BYTES": "a non-negative number of bytes such as 65536",
    "WORKER_HEALTH_PORT": "a port number 1-65535 such as 8080, or unset it to turn it off",
    "WORKER_MAX_CONCURRENT_ACTIVITIES": "a positive whole number such as 100",
    "WORKER_MAX_CONCURRENT_WORKFLOW_TASKS": "a whole number, at least 2, such as 8",
    "WORKER_STUCK_EXIT_SECONDS": "a whole number of seconds such as 60, or 0 to never exit",
    "CONSOLE_PORT": "a port number 1-65535 such as 8501",
    "CODEC_SERVER_PORT": "a port number 1-65535 such as 8234",
    "MODEL_TIMEOUT_SECONDS": "a whole number of seconds, at least 1, such as 120",
    "MODEL_HEARTBEAT_TIMEOUT_SECONDS": "a whole number of seconds, at least 1, such as 10",
    "MODEL_MAX_TOOL_CALLS": "a whole number, at least 1, such as 64",
}
_CUSTOM_ERROR_TYPES = frozenset({"value_error", "settings_conflict"})


class SettingsError(ValueError):
    """Settings are invalid; the message lists every bad variable and what to do about it.

    Attributes:
        problems: ``(ENV_VAR_NAME, message)`` pairs, one per problem, in a stable order.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        lines = "\n".join(f"  - {name}: {message}" for name, message in self.problems)
        noun = "setting" if len(self.problems) == 1 else "settings"
        super().__init__(
            f"Invalid {noun} (from environment variables or the .env file):\n{lines}\n"
            "See infra/.env.example for every setting and its default."
        )


def load_settings(*, env_file: str | Path | None = DEFAULT_ENV_FILE) -> Settings:
    """Read settings from the environment and ``env_file``, failing with one clear message.

    Args:
        env_file: A dotenv file to read after the process environment (which wins); a missing
            file is fine. `None` reads the environment only.

    Returns:
        The validated settings.

    Raises:
        SettingsError: Some variables are invalid; the message names each one by its
            environment variable and says what to do, and never contains a secret value.
    """
    # BaseSettings takes _env_file at run time, but type checkers see only the declared fields
    # in the generated signature, so the argument goes through a plain mapping.
    sources: dict[str, Any] = {"_env_file": env_file}
    try:
        return Settings(**sources)
    except ValidationError as error:
        raise SettingsError(_problems(error.errors(include_url=False))) from None
    except pydantic_settings.SettingsError as error:
        # Raised by a settings source before validation, e.g. an unreadable .env file.
        raise SettingsError([("settings", f"{error}")]) from None


def _problems(errors: list[ErrorDetails]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for error in errors:
        if error["type"] == "settings_conflict":
            ctx: dict[str, Any] = error.get("ctx") or {}
            problems.extend(ctx.get("problems", []))
            continue
        field = str(error["loc"][0]) if error["loc"] else "settings"
        problems.append((field.upper(), _message(field, error)))
    return problems


def _message(field: str, error: ErrorDetails) -> str:
    message = error["msg"]
    if error["type"] in _CUSTOM_ERROR_TYPES:
        # Our own validators already say what to do; drop pydantic's "Value error, " prefix.
        return message.removeprefix("Value error, ")
    value = error.get("input")
    if field not in SECRET_FIELDS and isinstance(value, str):
        message += f"; got {value!r}"
    expected = _EXPECTED.get(field.upper())
    if expected is not None:
        message += f"; set {expected}"
    return message
