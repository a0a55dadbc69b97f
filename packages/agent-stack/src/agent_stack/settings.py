"""Settings for the worker, the console and the dev stack: one model, one place.

Every setting is an environment variable (optionally from a ``.env`` file) with a default that
works on one machine; ``infra/.env.example`` documents them all.

Example:
    ```python
    from agent_stack.settings import load_settings

    settings = load_settings()  # raises SettingsError with one readable message
    print(settings.describe())  # safe to print: secrets show as "set" / "not set"
    ```
"""

from agent_stack._settings import (
    DEFAULT_OPENAI_MODEL,
    LITELLM_PREFIX,
    ModelMode,
    PayloadStorage,
    Settings,
    SettingValue,
    TemporalConnectOptions,
)
from agent_stack._settings_load import DEFAULT_ENV_FILE, SettingsError, load_settings
from agent_stack._settings_parsing import EncryptionKeyring

__all__ = [  # noqa: RUF022 - plain sorted order, checked by test_public_api
    "DEFAULT_ENV_FILE",
    "DEFAULT_OPENAI_MODEL",
    "EncryptionKeyring",
    "LITELLM_PREFIX",
    "ModelMode",
    "PayloadStorage",
    "SettingValue",
    "Settings",
    "SettingsError",
    "TemporalConnectOptions",
    "load_settings",
]
