"""Activity side: MCP server providers, the activities behind servers workflows use by name."""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

from agents.mcp import MCPServer
from mcp.types import CallToolResult, GetPromptResult, ListPromptsResult
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from .common import (
    DEDICATED_WORKER_FAILURE,
    CallToolRequest,
    FactoryRequest,
    GetPromptRequest,
    SessionRequest,
    ToolListing,
    close_session_activity,
    operation_activity,
    session_activity,
)
from .connection import MCPConnection, connected
from .pool import ServerBuilder, ServerFactory

_DEFAULT_PROBE_INTERVAL = timedelta(seconds=10)
# Lets the activity that closes a session report its own completion before the session's
# worker stops.
_SESSION_WORKER_GRACE = timedelta(seconds=5)

OpenConnection = Callable[[Any], AbstractAsyncContextManager[MCPConnection]]
"""Opens a connection for one request, given the workflow's ``factory_argument``."""


def _operation_activities(name: str, open_connection: OpenConnection) -> list[Callable[..., Any]]:
    """The four MCP operations as activities, each on a connection ``open_connection`` gives."""

    def argument(request: FactoryRequest | None) -> Any:
        return None if request is None else request.factory_argument

    async def list_tools(request: FactoryRequest | None = None) -> ToolListing:
        async with open_connection(argument(request)) as connection:
            return await connection.list_tools()

    async def call_tool(request: CallToolRequest) -> CallToolResult:
        async with open_connection(request.factory_argument) as connection:
            return await connection.call_tool(request)

    async def list_prompts(request: FactoryRequest | None = None) -> ListPromptsResult:
        async with open_connection(argument(request)) as connection:
            return await connection.list_prompts()

    async def get_prompt(request: GetPromptRequest) -> GetPromptResult:
        async with open_connection(request.factory_argument) as connection:
            return await connection.get_prompt(request)

    return [
        activity.defn(name=operation_activity(name, "list_tools"))(list_tools),
        activity.defn(name=operation_activity(name, "call_tool"))(call_tool),
        activity.defn(name=operation_activity(name, "list_prompts"))(list_prompts),
        activity.defn(name=operation_activity(name, "get_prompt"))(get_prompt),
    ]


class _MCPServerProvider:
    def __init__(
        self,
        name: str | Callable[[], MCPServer],
        server_factory: ServerFactory | None = None,
    ) -> None:
        warnings.warn(
            f"{type(self).__name__} is deprecated, as in Temporal's published integration: "
            "register the server with OpenAIAgentsPlugin(mcp_servers={name: factory}) and use "
            "workflow.temporal_mcp_server(name)",
            DeprecationWarning,
            stacklevel=2,
        )
        if isinstance(name, str):
            if server_factory is None:
                raise TypeError(
                    f"{type(self).__name__}({name!r}) needs a server_factory that builds the "
                    "Agents SDK MCP server"
                )
            self._name = name
            self._factory = ServerBuilder(name, server_factory)
        else:
            if server_factory is not None:
                raise TypeError(
                    f"{type(self).__name__} takes (name, server_factory) or (factory), not two "
                    "factories"
                )
            # The older form: building an Agents SDK MCP server object does no I/O (connect()
            # does), so one is built here only to learn the name workflows use.
            self._name = ServerBuilder("(unnamed)", name)().name
            self._factory = ServerBuilder(self._name, name)

    @property
    def name(self) -> str:
        """The server's name, as given to its Agents SDK constructor."""
        return self._name

    def _activities(self) -> list[Callable[..., Any]]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._name!r})"


class StatelessMCPServerProvider(_MCPServerProvider):
    """Serves an MCP server whose calls do not depend on each other.

    Each operation a workflow makes (list tools, call a tool, list prompts, get a prompt) runs
    as its own activity that connects to the server, makes the request and closes the
    connection, so Temporal can retry it on any worker. Workflows refer to the server by the
    ``name`` given to its constructor, through
    ``agents_temporal.workflow.stateless_mcp_server(name)``.

    Deprecated, as in Temporal's published integration: use
    ``OpenAIAgentsPlugin(mcp_servers={name: factory})`` and ``workflow.temporal_mcp_server``.

    Args:
        name: The name workflows use. The older one-argument form ``(factory)`` takes the name
            from the server the factory builds.
        server_factory: Builds a new Agents SDK MCP server (``MCPServerStdio``,
            ``MCPServerSse``, ``MCPServerStreamableHttp``) each time one is needed. It may take
            one positional argument: the workflow's ``factory_argument`` (None without one).
    """

    def _activities(self) -> list[Callable[..., Any]]:
        factory = self._factory
        return _operation_activities(self._name, lambda argument: connected(factory(argument)))


def _plain_client(client: Client) -> Client:
    # The dedicated worker only serves this session's activities: it keeps the data converter
    # and interceptors in use, but not the plugins, which would register every agent activity
    # on the session's task queue again.
    config = client.config(active_config=True)
    config["plugins"] = []
    return Client(**config)


class StatefulMCPServerProvider(_MCPServerProvider):
    """Serves an MCP server that keeps state for the length of a session.

    ``agents_temporal.workflow.stateful_mcp_server(name)`` starts one long-running,
    heartbeating session activity. That activity connects to the server and starts an
    in-process worker on a task queue of its own, which serves the session's operations on
    that one connection, so every call sees the state earlier calls left.

    If the server exits or the worker holding the session dies, the state is gone and cannot
    be rebuilt by a retry: the workflow gets ``ApplicationError(type="DedicatedWorkerFailure")``
    within the session's heartbeat timeout and decides at the application level what to do
    (typically, open a new session and start over).

    Deprecated, as in Temporal's published integration: use
    ``OpenAIAgentsPlugin(mcp_servers={name: factory})`` and ``workflow.temporal_mcp_server``.

    Args:
        name: The name workflows use. The older one-argument form ``(factory)`` takes the name
            from the server the factory builds.
        server_factory: Builds a new Agents SDK MCP server (``MCPServerStdio``,
            ``MCPServerSse``, ``MCPServerStreamableHttp``) for each session. It may take one
            positional argument: the workflow's ``factory_argument`` (None without one).
    """

    def __init__(
        self,
        name: str | Callable[[], MCPServer],
        server_factory: ServerFactory | None = None,
    ) -> None:
        super().__init__(name, server_factory)
        self._servers: dict[str, MCPServer] = {}
        """The servers of the sessions this worker holds now, by session task queue."""

    def _activities(self) -> list[Callable[..., Any]]:
        factory = self._factory
        name = self._name

        async def run_session(request: SessionRequest) -> None:
            heartbeat_timeout = activity.info().heartbeat_timeout or _DEFAULT_PROBE_INTERVAL * 3
            interval = max(heartbeat_timeout.total_seconds() / 3, 0.05)
            closing = asyncio.Event()
            server = factory(request.factory_argument)
            self._servers[request.task_queue] = server
            try:
                await serve(server, request, closing, interval)
            finally:
                del self._servers[request.task_queue]

        async def serve(
            server: MCPServer, request: SessionRequest, closing: asyncio.Event, interval: float
        ) -> None:
            async def close_session() -> None:
                closing.set()

            async with connected(server, dedicated=True) as connection:
                served = _operation_activities(name, lambda _: contextlib.nullcontext(connection))
                served.append(activity.defn(name=close_session_activity(name))(close_session))
                worker = Worker(
                    _plain_client(activity.client()),
                    task_queue=request.task_queue,
                    activities=served,
                    graceful_shutdown_timeout=_SESSION_WORKER_GRACE,
                )
                async with worker:
                    while not closing.is_set():
                        activity.heartbeat()
                        lost = await connection.watch(interval, closing)
                        if lost is not None:
                            raise ApplicationError(
                                lost, type=DEDICATED_WORKER_FAILURE, non_retryable=True
                            )

        return [activity.defn(name=session_activity(name))(run_session)]


MCPServerProvider = StatelessMCPServerProvider | StatefulMCPServerProvider
"""Either kind of provider, as ``OpenAIAgentsPlugin(mcp_server_providers=[...])`` takes them."""


def provider_names(providers: Sequence[Any]) -> frozenset[str]:
    """The server names of ``providers``, refusing anything else and duplicate names."""
    names: set[str] = set()
    for provider in providers:
        if not isinstance(provider, StatelessMCPServerProvider | StatefulMCPServerProvider):
            raise TypeError(
                f"mcp_server_providers got {provider!r}: wrap each MCP server factory in "
                "StatelessMCPServerProvider(...) or StatefulMCPServerProvider(...)"
            )
        if provider.name in names:
            raise ValueError(
                f"Two MCP server providers are named {provider.name!r}: workflows find servers "
                "by name, so give each server a distinct name=..."
            )
        names.add(provider.name)
    return frozenset(names)


def provider_activities(providers: Sequence[MCPServerProvider]) -> list[Callable[..., Any]]:
    """The activities a worker needs to serve ``providers``."""
    return [fn for provider in providers for fn in provider._activities()]  # pyright: ignore[reportPrivateUsage]
