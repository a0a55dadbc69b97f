"""Worker and console: agent apps, workspace packages discovered by entry point."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any, Generic, cast

from typing_extensions import TypeVar

from ._app_settings import AppSettings

if TYPE_CHECKING:
    # Only for annotations: the console reads apps without loading the Agents SDK.
    from agents import ModelProvider

SettingsT = TypeVar("SettingsT", bound=AppSettings, default=AppSettings)
"""The settings class of an app (`AgentApp.settings`)."""

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
    [SettingsT], contextlib.AbstractAsyncContextManager[Sequence[Callable[..., Any]]]
]
"""Given the app's settings, sets up its resources and yields its activities."""

MCPProviderFactory = Callable[[SettingsT], Sequence[Any]]
"""Given the app's settings, the MCP server providers its workflows may use."""

MCPServersFactory = Callable[[SettingsT], Mapping[str, Callable[..., Any]]]
"""Given the app's settings, the MCP server factories its workflows may use, by name."""


@dataclass(frozen=True)
class AgentApp(Generic[SettingsT]):
    """What a worker needs to run an app and a console needs to show it.

    An app with settings of its own names their class; the worker loads them once at start-up
    and hands them to the factories, which are typed to receive that class::

        app = AgentApp(
            name="store",
            ...,
            settings=StoreSettings,
            activities=store_activities,  # async context manager taking StoreSettings
        )
    """

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

    # pyright cannot tell that this default applies only while SettingsT is its own default,
    # AppSettings; an app with a subclass passes it, and a mismatch with the factories' parameter
    # type is still reported where the app is built.
    settings: type[SettingsT] = AppSettings  # pyright: ignore[reportAssignmentType]
    """The app's settings class, a subclass of `AppSettings` (the base has no fields).

    The worker loads it from the environment and ``.env`` at start-up, refuses to start while a
    value is invalid (naming the app and the variable), shows it with secrets masked, and passes
    the instance to ``activities`` and ``mcp_servers``. Workflows never see it.
    """

    activities: ActivityFactory[SettingsT] | None = None
    """Given the app's settings, sets up its resources (databases, clients) and yields its
    activities for as long as the worker runs."""

    agents: Sequence[AgentInfo] = ()
    """The app's agents, for the roster."""

    starter_prompts: Sequence[str] = ()
    """Example first messages the console offers."""

    mcp_servers: MCPServersFactory[SettingsT] | None = None
    """Given the app's settings, the MCP servers the app's workflows may use through
    ``workflow.temporal_mcp_server(name)``: a factory per name, as
    ``OpenAIAgentsPlugin(mcp_servers=...)`` takes them."""

    mcp_server_providers: MCPProviderFactory[SettingsT] | None = None
    """Given the app's settings, session-era MCP server providers (deprecated: use
    ``mcp_servers``)."""

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
        self, settings: SettingsT
    ) -> AsyncGenerator[Sequence[Callable[..., Any]]]:
        """The app's activities, with their resources open for as long as the block runs."""
        if self.activities is None:
            yield ()
            return
        async with self.activities(settings) as activities:
            yield activities

    def worker_mcp_servers(self, settings: SettingsT) -> Mapping[str, Callable[..., Any]]:
        """The MCP server factories the app's workflows may use, for these settings."""
        if self.mcp_servers is None:
            return {}
        return self.mcp_servers(settings)

    def worker_mcp_server_providers(self, settings: SettingsT) -> Sequence[Any]:
        """The MCP server providers the app's workflows may use, for these settings."""
        if self.mcp_server_providers is None:
            return ()
        return self.mcp_server_providers(settings)

    def workflow_types(self) -> list[str]:
        """The workflow type names of the app's workflows (its conversation workflow first)."""
        classes = dict.fromkeys([self.conversation_workflow, *self.workflows])
        return [workflow_type(cls) for cls in classes]


def workflow_type(cls: type) -> str:
    """The workflow type name of a ``@workflow.defn`` class.

    Raises:
        TypeError: ``cls`` is not a workflow class.
    """
    definition = getattr(cls, "__temporal_workflow_definition", None)
    name = getattr(definition, "name", None)
    if not isinstance(name, str):
        raise TypeError(f"{cls.__qualname__} is not a workflow class: decorate it @workflow.defn")
    return name


class AgentAppError(RuntimeError):
    """An entry point in ``durable_agents.apps`` could not be loaded as an agent app."""


def _load(entry: EntryPoint, fix: str) -> AgentApp[Any]:
    try:
        value = entry.load()
    except Exception as error:
        raise AgentAppError(
            f"Agent app {entry.name!r} ({entry.value}) failed to import: {error}. {fix}"
        ) from error
    if not isinstance(value, AgentApp):
        raise AgentAppError(
            f"Agent app {entry.name!r} ({entry.value}) is a {type(value).__name__}, not an "
            "agents_temporal.apps.AgentApp"
        )
    app = cast(AgentApp[Any], value)
    settings = cast(object, app.settings)
    if not (isinstance(settings, type) and issubclass(settings, AppSettings)):
        raise AgentAppError(
            f"Agent app {app.name!r} ({entry.value}) names settings={settings!r}: give it a "
            "subclass of agents_temporal.apps.AppSettings, or leave settings out"
        )
    return app


def load_app(reference: str) -> AgentApp[Any]:
    """The agent app a ``module:attribute`` reference names, whether installed as one or not.

    For apps that are not packages with an entry point: a module of a project, or a test's own
    app (``AGENT_APP_OBJECTS`` of the stack's settings uses it).

    Raises:
        AgentAppError: The reference is malformed, does not import, or names no `AgentApp`.
    """
    module, colon, attribute = reference.strip().partition(":")
    if not (module and colon and attribute):
        raise AgentAppError(
            f"{reference!r} is not an agent app reference: write it as module:attribute, "
            "e.g. 'my_agents.app:app'"
        )
    entry = EntryPoint(name=reference.strip(), value=reference.strip(), group=ENTRY_POINT_GROUP)
    return _load(entry, "Fix the module or the reference")


def discover_apps(names: Sequence[str] | None = None) -> list[AgentApp[Any]]:
    """Every installed agent app (or only those named), sorted by name.

    Raises:
        AgentAppError: an app failed to load, two apps share a name, or a named app is missing.
    """
    apps: dict[str, AgentApp[Any]] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        fix = f"Fix the package or remove its [project.entry-points.{ENTRY_POINT_GROUP!r}] entry"
        app = _load(entry, fix)
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
