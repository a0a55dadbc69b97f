"""Settings of the stack (worker, console, dev stack) and of each agent app, and loading them.

Every setting is an environment variable (optionally from a ``.env`` file) with a default that
works on one machine; ``infra/.env.example`` documents them all. The stack's own settings are
`Settings`; an agent app declares its own (`agents_temporal.apps.AppSettings`), and the worker
loads those with `load_app_settings`.

Example:
    ```python
    from agent_stack.settings import load_app_settings, load_settings
    from agents_temporal.apps import discover_apps

    settings = load_settings()  # raises SettingsError with one readable message
    print(settings.describe())  # safe to print: secrets show as "set" / "not set"
    apps = discover_apps()
    app_settings = load_app_settings(apps)  # {app name: its settings}, checked the same way
    ```
"""

from agent_stack._settings import (
    DEFAULT_OPENAI_MODEL,
    LITELLM_PREFIX,
    ModelMode,
    PayloadStorage,
    Settings,
    TemporalConnectOptions,
)
from agent_stack._settings_load import (
    DEFAULT_ENV_FILE,
    SettingsError,
    load_app_settings,
    load_settings,
)
from agent_stack._settings_parsing import (
    MIN_TOKEN_CHARS,
    EncryptionKeyring,
    check_operator_name,
)
from agents_temporal.apps import SettingValue

__all__ = [  # noqa: RUF022 - plain sorted order, checked by test_public_api
    "DEFAULT_ENV_FILE",
    "DEFAULT_OPENAI_MODEL",
    "EncryptionKeyring",
    "LITELLM_PREFIX",
    "MIN_TOKEN_CHARS",
    "ModelMode",
    "PayloadStorage",
    "SettingValue",
    "Settings",
    "SettingsError",
    "TemporalConnectOptions",
    "check_operator_name",
    "load_app_settings",
    "load_settings",
]
