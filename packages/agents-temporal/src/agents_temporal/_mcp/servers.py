"""Activity side: the activities behind ``OpenAIAgentsPlugin(mcp_servers={name: factory})``.

Each MCP operation is one activity named ``temporalio.mcp.<name>.<operation>`` that takes and
returns plain JSON objects, the same names and shapes as Temporal's published integration, so
a worker of either can serve a workflow of the other. Connections come from a
``ConnectionPool`` shared by the worker's activities.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

from mcp.types import (
    ListResourcesResult,
    ListResourceTemplatesResult,
    ListToolsResult,
)
from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from .common import MCP_REQUEST_ERROR, PooledOperation, pooled_activity
from .connection import MCPConnection
from .pool import ConnectionPool, ServerBuilder, ServerFactory

DEFAULT_IDLE_TIMEOUT = timedelta(minutes=5)
"""How long a shared connection stays open unused, unless the plugin says otherwise."""

_MAX_PAGES = 1000


def _dump(result: BaseModel) -> dict[str, Any]:
    return result.model_dump(mode="json")


def _refuse_dynamic_filter(builder: ServerBuilder) -> ServerBuilder:
    """A builder that refuses worker-side servers with a callable tool filter.

    Such a filter needs the run context and the agent, which exist only in the workflow; the
    Agents SDK would refuse it on every attempt.
    """

    def build(argument: Any = None) -> Any:
        server = builder(argument)
        if callable(getattr(server, "tool_filter", None)):
            raise ApplicationError(
                f"MCP server {builder.name!r} has a callable tool_filter on the worker, where "
                "the run context and agent it needs do not exist: pass it to "
                "temporal_mcp_server(..., tool_filter=...) in the workflow instead",
                type=MCP_REQUEST_ERROR,
                non_retryable=True,
            )
        return server

    return ServerBuilder(builder.name, build)


async def _all_pages(
    connection: MCPConnection,
    what: str,
    page: Callable[[str | None], Awaitable[Any]],
    field: str,
) -> Any:
    """Every page of a listing, as one result whose list holds them all."""
    first: Any = None
    items: list[Any] = []
    cursor: str | None = None
    seen: set[str] = set()
    for _ in range(_MAX_PAGES):
        result = await connection.request(what, lambda cursor=cursor: page(cursor))
        first = first if first is not None else result
        items.extend(getattr(result, field))
        cursor = result.next_cursor
        if cursor is None:
            return first.model_copy(update={field: items, "next_cursor": None})
        if cursor in seen:
            break
        seen.add(cursor)
    raise ApplicationError(
        f"MCP server {connection.server.name!r} kept answering {what} with another page "
        "(a repeated cursor)",
        type=MCP_REQUEST_ERROR,
        non_retryable=True,
    )


class PooledMCPServers:
    """The activities of every server in ``mcp_servers`` and the pool they share.

    Args:
        factories: Server factories by the name workflows use; a factory may take one
            positional argument, the workflow's ``factory_argument`` (None when it gave none).
        idle_timeout: How long a shared connection stays open unused.
    """

    def __init__(
        self, factories: Mapping[str, ServerFactory], idle_timeout: timedelta | None
    ) -> None:
        for name in factories:
            if not isinstance(name, str) or not name:  # pyright: ignore[reportUnnecessaryIsInstance]
                raise TypeError(
                    f"mcp_servers keys are the names workflows use, non-empty strings; got {name!r}"
                )
        builders = {
            name: _refuse_dynamic_filter(ServerBuilder(name, factory))
            for name, factory in factories.items()
        }
        self.names = frozenset(builders)
        self.pool = ConnectionPool(builders, idle_timeout)

    @contextlib.asynccontextmanager
    async def _connection(
        self, name: str, request: dict[str, Any]
    ) -> AsyncGenerator[MCPConnection]:
        async with self.pool.connection(name, request.get("factory_argument")) as connection:
            yield connection

    def activities(self) -> list[Callable[..., Any]]:
        """Seven activities per server."""
        return [fn for name in sorted(self.names) for fn in self._server_activities(name)]

    def _server_activities(self, name: str) -> list[Callable[..., Any]]:
        def define(
            operation: PooledOperation,
        ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
            return activity.defn(name=pooled_activity(name, operation))

        @define("list-tools")
        async def list_tools(request: dict[str, Any]) -> dict[str, Any]:
            async with self._connection(name, request) as connection:
                tools = await connection.request("list_tools", connection.server.list_tools)
            return _dump(ListToolsResult(tools=tools))

        @define("call-tool")
        async def call_tool(request: dict[str, Any]) -> dict[str, Any]:
            tool, arguments, meta = request["name"], request.get("arguments"), request.get("meta")
            async with self._connection(name, request) as connection:
                result = await connection.request(
                    f"the call to tool {tool!r}",
                    lambda: connection.server.call_tool(tool, arguments, meta=meta),
                )
            return _dump(result)

        @define("list-prompts")
        async def list_prompts(request: dict[str, Any]) -> dict[str, Any]:
            async with self._connection(name, request) as connection:
                result = await connection.request("list_prompts", connection.server.list_prompts)
            return _dump(result)

        @define("get-prompt")
        async def get_prompt(request: dict[str, Any]) -> dict[str, Any]:
            prompt, arguments = request["name"], request.get("arguments")
            async with self._connection(name, request) as connection:
                result = await connection.request(
                    f"prompt {prompt!r}", lambda: connection.server.get_prompt(prompt, arguments)
                )
            return _dump(result)

        @define("list-resources")
        async def list_resources(request: dict[str, Any]) -> dict[str, Any]:
            async with self._connection(name, request) as connection:
                result = await _all_pages(
                    connection, "list_resources", connection.server.list_resources, "resources"
                )
            return _dump(ListResourcesResult.model_validate(result))

        @define("list-resource-templates")
        async def list_resource_templates(request: dict[str, Any]) -> dict[str, Any]:
            async with self._connection(name, request) as connection:
                result = await _all_pages(
                    connection,
                    "list_resource_templates",
                    connection.server.list_resource_templates,
                    "resource_templates",
                )
            return _dump(ListResourceTemplatesResult.model_validate(result))

        @define("read-resource")
        async def read_resource(request: dict[str, Any]) -> dict[str, Any]:
            uri = request["uri"]
            async with self._connection(name, request) as connection:
                result = await connection.request(
                    f"resource {uri!r}", lambda: connection.server.read_resource(uri)
                )
            return _dump(result)

        return [
            list_tools,
            call_tool,
            list_prompts,
            get_prompt,
            list_resources,
            list_resource_templates,
            read_resource,
        ]
