"""Loading settings, the stack's and each agent app's, with one readable error message."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import pydantic_settings
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from agent_stack._settings import Settings
from agents_temporal.apps import AgentApp, AppSettings, redact_url

DEFAULT_ENV_FILE = Path(".env")
"""The optional dotenv file read from the current directory."""

_CUSTOM_ERROR_TYPES = frozenset({"value_error", "settings_conflict"})

_SettingsT = TypeVar("_SettingsT", bound=AppSettings)


class SettingsError(ValueError):
    """Settings are invalid; the message lists every bad variable and what to do about it.

    Attributes:
        problems: ``(where, message)`` pairs, one per problem, in a stable order. ``where`` is
            the environment variable, followed by ``(agent app 'name')`` for an app's setting.
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
    """Read the stack's settings from the environment and ``env_file``, with one clear message.

    Args:
        env_file: A dotenv file to read after the process environment (which wins); a missing
            file is fine. `None` reads the environment only.

    Returns:
        The validated settings.

    Raises:
        SettingsError: Some variables are invalid; the message names each one by its
            environment variable and says what to do, and never contains a secret value.
    """
    return _load(Settings, env_file)


def load_app_settings(
    apps: Sequence[AgentApp[Any]], *, env_file: str | Path | None = DEFAULT_ENV_FILE
) -> dict[str, AppSettings]:
    """Read every app's own settings (`AgentApp.settings`), as `load_settings` reads the stack's.

    Args:
        apps: The apps to load settings for.
        env_file: As for `load_settings`.

    Returns:
        Each app's settings, by app name.

    Raises:
        SettingsError: Some variables are invalid; the message has one line per bad variable,
            naming it and its app, for every app at once.
    """
    loaded: dict[str, AppSettings] = {}
    problems: list[tuple[str, str]] = []
    for app in apps:
        try:
            loaded[app.name] = _load(app.settings, env_file, app=app.name)
        except SettingsError as error:
            problems.extend(error.problems)
    if problems:
        raise SettingsError(problems)
    return loaded


def _load(
    model: type[_SettingsT], env_file: str | Path | None, app: str | None = None
) -> _SettingsT:
    # BaseSettings takes _env_file at run time, but type checkers see only the declared fields
    # in the generated signature, so the argument goes through a plain mapping.
    sources: dict[str, Any] = {"_env_file": env_file}
    try:
        return model(**sources)
    except ValidationError as error:
        problems = _problems(model, error.errors(include_url=False))
    except pydantic_settings.SettingsError as error:
        # Raised by a settings source before validation, e.g. an unreadable .env file.
        problems = [("settings", f"{error}")]
    if app is not None:
        problems = [(f"{name} (agent app {app!r})", message) for name, message in problems]
    raise SettingsError(problems) from None


def _problems(model: type[AppSettings], errors: list[ErrorDetails]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for error in errors:
        if error["type"] == "settings_conflict":
            ctx: dict[str, Any] = error.get("ctx") or {}
            problems.extend(ctx.get("problems", []))
            continue
        field = str(error["loc"][0]) if error["loc"] else "settings"
        problems.append((field.upper(), _message(model, field, error)))
    return problems


def _message(model: type[AppSettings], field: str, error: ErrorDetails) -> str:
    message = error["msg"]
    if error["type"] in _CUSTOM_ERROR_TYPES:
        # Our own validators already say what to do; drop pydantic's "Value error, " prefix.
        return message.removeprefix("Value error, ")
    value = error.get("input")
    if field not in model.secret_fields() and isinstance(value, str):
        message += f"; got {redact_url(value) if '://' in value else value!r}"
    expected = model.setting_hints.get(field.upper())
    if expected is not None:
        message += f"; set {expected}"
    return message
