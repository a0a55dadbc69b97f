"""Worker and console: agent apps, workspace packages discovered by entry point."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from agents import ModelProvider

ENTRY_POINT_GROUP = "durable_agents.apps"
"""The entry-point group an agent app registers under."""


@dataclass(frozen=True)
class AgentInfo:
    """One agent of an app, for the console's roster and handoff graph."""

    name: str
    """The agent's name, as the Agents SDK reports it."""

    description: str = ""
    """What the agent is for, in a sentence."""

    handoffs: tuple[str, ...] = ()
    """Names of the agents it can hand off to."""

    tools: tuple[str, ...] = ()
    """Names of its tools."""


ActivityFactory = Callable[
    [Mapping[str, str]], contextlib.AbstractAsyncContextManager[Sequence[Callable[..., Any]]]
]
"""Given the environment, sets up an app's resources and yields its activities."""


@dataclass(frozen=True)
class AgentApp:
    """What a worker needs to run an app and a console needs to show it."""

    name: str
    """Short identifier, e.g. ``"support"`` (also the default workflow id prefix)."""

    title: str
    """Human-readable name."""

    description: str
    """What the app does, for the console."""

    conversation_workflow: type
    """The workflow class that holds one conversation."""

    workflows: Sequence[type] = ()
    """Every workflow class the worker must register (including the conversation one)."""

    activities: ActivityFactory | None = None
    """Sets up the app's resources (databases, clients) and yields its activities."""

    agents: Sequence[AgentInfo] = ()
    """The app's agents, for the roster."""

    starter_prompts: Sequence[str] = ()
    """Example first messages the console offers."""

    mcp_server_providers: Callable[[Mapping[str, str]], Sequence[Any]] | None = None
    """Given the environment, the MCP server providers the app's workflows may use."""

    offline_model_provider: Callable[[], ModelProvider] | None = None
    """A model provider that plays the app's agents with no API key, for demos and tests."""

    sandbox_passthrough_modules: Sequence[str] = ()
    """Modules the workflow sandbox shares with the worker instead of importing per workflow.

    Name the libraries your workflow modules import (your tools' and guardrails' packages,
    their database drivers). The sandbox re-imports every module it does not pass through each
    time a workflow starts, which for a package like SQLAlchemy costs a second of CPU per
    conversation. Pass through only modules that are deterministic at import time and that
    workflows never mutate.
    """

    metadata: Mapping[str, str] = field(default_factory=dict[str, str])
    """Anything else the app wants a console to know."""

    @contextlib.asynccontextmanager
    async def worker_activities(
        self, environ: Mapping[str, str]
    ) -> AsyncGenerator[Sequence[Callable[..., Any]]]:
        """The app's activities, with their resources open for as long as the block runs."""
        if self.activities is None:
            yield ()
            return
        async with self.activities(environ) as activities:
            yield activities


class AgentAppError(RuntimeError):
    """An entry point in ``durable_agents.apps`` could not be loaded as an agent app."""


def _load(entry: EntryPoint) -> AgentApp:
    try:
        value = entry.load()
    except Exception as error:
        raise AgentAppError(
            f"Agent app {entry.name!r} ({entry.value}) failed to import: {error}. Fix the package "
            f"or remove its [project.entry-points.{ENTRY_POINT_GROUP!r}] entry"
        ) from error
    if not isinstance(value, AgentApp):
        raise AgentAppError(
            f"Entry point {entry.name!r} ({entry.value}) is a {type(value).__name__}, not an "
            "agents_temporal.apps.AgentApp"
        )
    return value


def discover_apps(names: Sequence[str] | None = None) -> list[AgentApp]:
    """Every installed agent app (or only those named), sorted by name.

    Raises:
        AgentAppError: an app failed to load, two apps share a name, or a named app is missing.
    """
    apps: dict[str, AgentApp] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        app = _load(entry)
        if app.name in apps:
            raise AgentAppError(f"Two agent apps are named {app.name!r}; rename one")
        apps[app.name] = app
    if names:
        missing = sorted(set(names) - set(apps))
        if missing:
            raise AgentAppError(
                f"No agent app named {', '.join(map(repr, missing))}; installed: "
                + (", ".join(sorted(apps)) or "none")
            )
        return [apps[n] for n in sorted(set(names))]
    return [apps[n] for n in sorted(apps)]
