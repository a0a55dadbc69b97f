"""Both sides: what the workflow side and the worker side of MCP support agree on.

Activity names, the payloads those activities exchange, and the ``ApplicationError`` types
that tell a workflow what went wrong with an MCP server.
"""

from __future__ import annotations

from typing import Any, Literal

from mcp.types import Tool
from pydantic import BaseModel

MCP_SERVER_START_ERROR = "MCPServerStartError"
"""ApplicationError type: a stdio MCP server could not be started (configuration problem)."""

MCP_SERVER_UNAVAILABLE = "MCPServerUnavailable"
"""ApplicationError type: the server could not be reached or dropped the connection; retried."""

MCP_REQUEST_ERROR = "MCPRequestError"
"""ApplicationError type: the server answered a request with an error; not retried."""

MCP_TIMEOUT = "MCPServerTimeout"
"""ApplicationError type: an MCP activity ran out of time."""

DEDICATED_WORKER_FAILURE = "DedicatedWorkerFailure"
"""ApplicationError type: a stateful session's server or dedicated worker is gone."""

Operation = Literal["list_tools", "call_tool", "list_prompts", "get_prompt"]

_PREFIX = "agents_temporal.mcp"


def operation_activity(server_name: str, operation: Operation) -> str:
    """The name of the activity that runs ``operation`` on the server called ``server_name``."""
    return f"{_PREFIX}.{server_name}.{operation}"


def session_activity(server_name: str) -> str:
    """The name of the long-running activity that holds a stateful server's session."""
    return f"{_PREFIX}.{server_name}.session"


def close_session_activity(server_name: str) -> str:
    """The name of the activity, served by a session's own worker, that ends the session."""
    return f"{_PREFIX}.{server_name}.close_session"


PooledOperation = Literal[
    "list-tools",
    "call-tool",
    "list-prompts",
    "get-prompt",
    "list-resources",
    "list-resource-templates",
    "read-resource",
]
"""The operations of a server registered with ``OpenAIAgentsPlugin(mcp_servers=...)``."""


def pooled_activity(server_name: str, operation: PooledOperation) -> str:
    """The activity for ``operation`` on a server of ``mcp_servers``.

    Named as Temporal's own MCP integration names it, so either integration's worker can serve
    the other's workflows.
    """
    return f"temporalio.mcp.{server_name}.{operation}"


class ToolListing(BaseModel):
    """A server's tools, with what the workflow needs to turn them into agent tools."""

    tools: list[Tool]
    """The tools, after the server's static tool filter."""

    needs_approval: dict[str, bool]
    """Per tool name, whether the server's ``require_approval`` setting asks for approval."""

    use_structured_content: bool = False
    """The server's ``use_structured_content`` setting, which decides how results are read."""


class FactoryRequest(BaseModel):
    """A request that carries the workflow's ``factory_argument`` to the server factory."""

    factory_argument: Any = None
    """Handed to the provider's factory, which builds a server for this request."""


class CallToolRequest(FactoryRequest):
    """One tool call, as recorded in workflow history."""

    tool_name: str
    arguments: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None


class GetPromptRequest(FactoryRequest):
    """One prompt request, as recorded in workflow history."""

    name: str
    arguments: dict[str, Any] | None = None


class SessionRequest(FactoryRequest):
    """Starts a stateful session whose operations are served on ``task_queue``."""

    task_queue: str
