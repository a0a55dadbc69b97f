"""The agent apps installed next to a process of the stack, or a clear refusal without any."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents_temporal.apps import ENTRY_POINT_GROUP, AgentApp, AgentAppError, discover_apps

HOW_TO_ADD_AN_APP = (
    "add an agent app and start again. An agent app is a package whose pyproject.toml names an "
    f'agents_temporal.apps.AgentApp under [project.entry-points."{ENTRY_POINT_GROUP}"] (see '
    '"Agent apps and discovery" in DESIGN.md); install it next to this process with '
    "`uv sync --all-packages` in the workspace, or build the container image with "
    '`--build-arg AGENT_APPS="<package>"`'
)
"""What to do when no agent app is installed, for the worker's and the console's messages."""


class NoAgentAppError(AgentAppError):
    """No agent app is installed (or none of those asked for); the message says how to add one."""

    def __init__(self, needed_by: str) -> None:
        super().__init__(f"No agent app is installed, so {needed_by}: {HOW_TO_ADD_AN_APP}")


def installed_apps(
    names: Sequence[str] | None = None, *, needed_by: str = "there is nothing to run"
) -> list[AgentApp[Any]]:
    """Every installed agent app (or only those named), refusing clearly when there is none.

    Args:
        names: Only these apps; every one must be installed. None means all.
        needed_by: What cannot happen without an app, for the message (``"the worker has
            nothing to run"``).

    Raises:
        NoAgentAppError: No agent app is installed.
        AgentAppError: An app failed to load, two share a name, or a named one is missing.
    """
    apps = discover_apps(names)
    if not apps:
        raise NoAgentAppError(needed_by)
    return apps
