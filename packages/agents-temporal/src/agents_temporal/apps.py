"""Agent apps: the contract between an app package and the worker and console that run it.

An app is a workspace package with one entry point::

    [project.entry-points."durable_agents.apps"]
    support = "support_agents:app"

naming an ``AgentApp``. Workers register every discovered app; consoles list them.
"""

from ._apps import (
    ENTRY_POINT_GROUP,
    ActivityFactory,
    AgentApp,
    AgentAppError,
    AgentInfo,
    discover_apps,
)

__all__ = [  # noqa: RUF022 - plain sorted order, checked by test_public_api
    "ActivityFactory",
    "AgentApp",
    "AgentAppError",
    "AgentInfo",
    "ENTRY_POINT_GROUP",
    "discover_apps",
]
