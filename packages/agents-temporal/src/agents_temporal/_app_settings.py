"""Worker and console: the settings an agent app declares, and keeping them safe to print."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, get_args
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SettingValue = str | int | bool | None
"""A value in `AppSettings.describe`: safe to print, log or serialize as JSON."""


class AppSettings(BaseSettings):
    """The base class of an agent app's settings: environment variables, optionally from ``.env``.

    Declare one field per variable; ``database_url`` reads DATABASE_URL (names are
    case-insensitive, empty values count as unset, variables meant for other parts of the
    deployment are ignored). Give every field a default that works on one machine and a
    docstring, which becomes its description.

    The worker loads an app's settings once at start-up, before it connects to anything, and
    stops with one line per bad variable naming the app; it then hands the instance to the
    app's activity factory and MCP-provider factory (see `AgentApp.settings`). Settings are
    never sent to workflows: what a workflow needs from them, it gets from an activity, so that
    the value is recorded in its history.

    Keep secrets out of logs: declare a secret as `pydantic.SecretStr`, and it shows as
    ``set``/``not set`` in `describe`; passwords in URL values (``scheme://user:password@host``)
    are masked in `describe` and in the repr.

    Example:
        ```python
        class StoreSettings(AppSettings):
            database_url: str = "sqlite+aiosqlite:///.data/store.db"
        ```
    """

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        # One .env serves every part of a deployment; each reads only its own variables.
        extra="ignore",
        env_ignore_empty=True,
        case_sensitive=False,
        hide_input_in_errors=True,
        validate_default=True,
        use_attribute_docstrings=True,
    )

    setting_hints: ClassVar[Mapping[str, str]] = {}
    """What to write instead, by variable name, for errors whose own message says only what is
    wrong, e.g. ``{"REFUND_HARD_CAP": "a positive amount such as 500"}``."""

    @classmethod
    def env_var_names(cls) -> tuple[str, ...]:
        """Every environment variable the settings read, in declaration order."""
        return tuple(name.upper() for name in cls.model_fields)

    @classmethod
    def secret_fields(cls) -> frozenset[str]:
        """The names of the fields declared as `SecretStr` (or an optional one)."""
        return frozenset(
            name
            for name, info in cls.model_fields.items()
            if info.annotation is SecretStr or SecretStr in get_args(info.annotation)
        )

    def describe(self) -> dict[str, SettingValue]:
        """A summary by variable name that is safe to print or log.

        Secrets read ``set`` or ``not set``, URL passwords read ``***``, and values that are
        neither text, numbers nor flags (amounts, paths) are shown as text.
        """
        secrets = self.secret_fields()
        summary: dict[str, SettingValue] = {}
        for name in type(self).model_fields:
            value: object = getattr(self, name)
            if isinstance(value, SecretStr):
                shown: SettingValue = "set"
            elif value is None:
                shown = "not set" if name in secrets else None
            elif isinstance(value, str):
                shown = redact_url(value) if "://" in value else value
            elif isinstance(value, bool | int):
                shown = value
            else:
                shown = str(value)
            summary[name.upper()] = shown
        return summary

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # URLs may carry passwords (a Postgres URL usually does); mask them, so that repr(),
        # str() and logged settings never show one.
        for name, value in super().__repr_args__():
            if isinstance(value, str) and "://" in value:
                yield name, redact_url(value)
            else:
                yield name, value


def redact_url(url: str) -> str:
    """Return ``url`` with the password of its user-info, if any, replaced by ``***``."""
    if "://" not in url:
        # Without a scheme urlsplit finds no user-info, yet "user:password@host" may be there.
        return "***@" + url.rsplit("@", 1)[1] if "@" in url else url
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        # An unparsable URL may still hold a password; show only its scheme.
        return url.split("://", 1)[0] + "://***"
    if not password:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port is not None else "")
    return urlunsplit(parts._replace(netloc=netloc))
