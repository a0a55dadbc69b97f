"""Agent apps: the contract between an app package and the worker and console that run it.

An app is a workspace package with one entry point::

    [project.entry-points."durable_agents.apps"]
    support = "support_agents:app"

naming an ``AgentApp``. Workers register every discovered app; consoles list them. An app that
is not installed that way is named by reference instead (``load_app("module:attribute")``).
An app with settings of its own declares them as an ``AppSettings`` subclass
(``AgentApp.settings``); the worker loads and checks them at start-up and hands them to the
app's factories.

`ModelProviderByApp`, which only a worker needs, loads on first use: the console reads apps
without importing the Agents SDK.
"""

from __future__ import annotations

# A private alias: this module's public names are exactly ``__all__`` (a test checks it).
import typing as _typing

from ._app_settings import AppSettings, SettingValue, redact_url
from ._apps import (
    ENTRY_POINT_GROUP,
    ActivityFactory,
    AgentApp,
    AgentAppError,
    AgentInfo,
    MCPProviderFactory,
    discover_apps,
    load_app,
    workflow_type,
)
from ._lazy import lazy_names as _lazy_names

if _typing.TYPE_CHECKING:
    from ._model.by_app import ModelProviderByApp

__all__ = [  # noqa: RUF022 - plain sorted order, checked by test_public_api
    "ActivityFactory",
    "AgentApp",
    "AgentAppError",
    "AgentInfo",
    "AppSettings",
    "ENTRY_POINT_GROUP",
    "MCPProviderFactory",
    "ModelProviderByApp",
    "SettingValue",
    "discover_apps",
    "load_app",
    "redact_url",
    "workflow_type",
]

__getattr__, __dir__ = _lazy_names(globals(), {"ModelProviderByApp": "._model.by_app"})
