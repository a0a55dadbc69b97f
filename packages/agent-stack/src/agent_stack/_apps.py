"""The agent apps installed next to a process of the stack, or a clear refusal without any."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any, cast

from agents_temporal.apps import (
    ENTRY_POINT_GROUP,
    AgentApp,
    AgentAppError,
    discover_apps,
    load_app,
)

HOW_TO_ADD_AN_APP = (
    "add an agent app and start again. An agent app is a package whose pyproject.toml names an "
    f'agents_temporal.apps.AgentApp under [project.entry-points."{ENTRY_POINT_GROUP}"] (see '
    '"Agent apps and discovery" in DESIGN.md); install it next to this process with '
    "`uv sync --all-packages` in the workspace, or build the container image with "
    '`--build-arg AGENT_APPS="<package>"`. Or name an AgentApp object that is not a package '
    "in AGENT_APP_OBJECTS (module:attribute)"
)
"""What to do when no agent app is installed, for the worker's and the console's messages."""


class NoAgentAppError(AgentAppError):
    """No agent app is installed (or none of those asked for); the message says how to add one."""

    def __init__(self, needed_by: str) -> None:
        super().__init__(f"No agent app is installed, so {needed_by}: {HOW_TO_ADD_AN_APP}")


def select_apps(
    names: Sequence[str] | None = None, *, objects: Sequence[str] = ()
) -> list[AgentApp[Any]]:
    """The agent apps a process runs or shows, sorted by name (maybe none).

    Args:
        names: Only these apps (by `AgentApp.name`); every one must be there. None means all.
        objects: ``module:attribute`` references (`Settings.app_objects`): when given, these
            apps and no installed one.

    Raises:
        AgentAppError: An app failed to load, two share a name, or a named one is missing.
    """
    if not objects:
        return discover_apps(names)
    apps: dict[str, AgentApp[Any]] = {}
    for reference in objects:
        app = load_app(reference)
        if app.name in apps:
            raise AgentAppError(f"Two agent apps in AGENT_APP_OBJECTS are named {app.name!r}")
        apps[app.name] = app
    missing = sorted(set(names or ()) - set(apps))
    if missing:
        raise AgentAppError(
            f"No agent app named {', '.join(map(repr, missing))} in AGENT_APP_OBJECTS; it has: "
            + ", ".join(sorted(apps))
        )
    return [apps[n] for n in sorted(set(names) if names else apps)]


def installed_apps(
    names: Sequence[str] | None = None,
    *,
    needed_by: str = "there is nothing to run",
    objects: Sequence[str] = (),
) -> list[AgentApp[Any]]:
    """Every agent app (or only those named), refusing clearly when there is none.

    Args:
        names: Only these apps; every one must be there. None means all.
        needed_by: What cannot happen without an app, for the message (``"the worker has
            nothing to run"``).
        objects: ``module:attribute`` references to use instead of the installed apps.

    Raises:
        NoAgentAppError: No agent app is installed (and none is referenced).
        AgentAppError: An app failed to load, two share a name, or a named one is missing.
    """
    apps = select_apps(names, objects=objects)
    if not apps:
        raise NoAgentAppError(needed_by)
    return apps


def workspace_root(start: Path) -> Path | None:
    """The uv workspace ``start`` is in (a pyproject.toml with ``[tool.uv.workspace]``), if any."""
    for folder in (start, *start.parents):
        project = folder / "pyproject.toml"
        if project.is_file() and "[tool.uv.workspace]" in project.read_text():
            return folder
    return None


def uninstalled_app_packages(root: Path | None) -> list[str]:
    """Why each workspace package that declares an agent app is not installed, one line each.

    A package under ``apps/`` is locked with the workspace but installed only when the root
    project depends on it; otherwise no process finds its entry point, silently.
    """
    if root is None:
        return []
    problems: list[str] = []
    for path in sorted(root.glob("apps/*/pyproject.toml")):
        try:
            project = cast(dict[str, Any], tomllib.loads(path.read_text()).get("project", {}))
        except (OSError, tomllib.TOMLDecodeError):
            continue
        groups = cast(dict[str, Any], project.get("entry-points", {}))
        name = project.get("name")
        if ENTRY_POINT_GROUP not in groups or not isinstance(name, str):
            continue
        try:
            distribution(name)
        except PackageNotFoundError:
            problems.append(
                f"{path.parent.relative_to(root)} declares an agent app but is not installed: "
                f'add "{name}" to the root pyproject.toml\'s dependencies and '
                f"`{name} = {{ workspace = true }}` to its [tool.uv.sources], then run "
                "`uv sync --all-packages` (`uv run new-app` does both)"
            )
    return problems
