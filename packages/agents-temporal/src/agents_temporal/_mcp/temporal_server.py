"""Workflow side: ``temporal_mcp_server``, the current form of MCP servers in workflows.

The agent gets an Agents SDK ``MCPServer`` whose every request is one activity of a server
registered with ``OpenAIAgentsPlugin(mcp_servers={name: factory})``. The workflow keeps only
deterministic state: the name, the activity options, the ``factory_argument`` and, unless
told otherwise, the tool list.
"""

from __future__ import annotations

import inspect
from datetime import timedelta
from typing import Any, TypeVar, cast

from agents import AgentBase, RunContextWrapper
from agents.mcp import MCPServer
from agents.mcp.util import ToolFilter, ToolFilterContext, ToolFilterStatic
from mcp.types import (
    CallToolResult,
    GetPromptResult,
    ListPromptsResult,
    ListResourcesResult,
    ListResourceTemplatesResult,
    ListToolsResult,
    ReadResourceResult,
    Tool,
)
from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ActivityError

from .._errors import AgentsWorkflowError
from .._workflow_context import current_context
from .common import PooledOperation, pooled_activity
from .stand_in_base import WorkflowMCPServer, lifted_failure

_R = TypeVar("_R", bound=BaseModel)

DEFAULT_TIMEOUT = timedelta(minutes=1)


def _static_filter(tools: list[Tool], tool_filter: ToolFilterStatic) -> list[Tool]:
    allowed = tool_filter.get("allowed_tool_names")
    blocked = tool_filter.get("blocked_tool_names")
    if allowed is not None:
        tools = [tool for tool in tools if tool.name in allowed]
    if blocked is not None:
        tools = [tool for tool in tools if tool.name not in blocked]
    return tools


class TemporalMCPServer(WorkflowMCPServer):
    """An Agents SDK ``MCPServer`` in a workflow whose requests run as pooled activities."""

    def __init__(
        self,
        name: str,
        *,
        activity_config: workflow.ActivityConfig | None,
        cache_tools_list: bool,
        factory_argument: Any,
        tool_filter: ToolFilter = None,
        **server_options: Any,
    ) -> None:
        options = workflow.ActivityConfig(**(activity_config or {}))
        if (
            options.get("start_to_close_timeout") is None
            and options.get("schedule_to_close_timeout") is None
        ):
            options["start_to_close_timeout"] = DEFAULT_TIMEOUT
        super().__init__(
            name,
            options=options,
            cache_tools_list=cache_tools_list,
            factory_argument=factory_argument,
            **server_options,
        )
        self.tool_filter: ToolFilter = tool_filter

    @property
    def cached_tools(self) -> list[Tool] | None:
        if self._tools is None:
            return None
        if isinstance(self.tool_filter, dict):
            return _static_filter(self._tools, cast(ToolFilterStatic, self.tool_filter))
        # A callable filter needs a run context and an agent, which this property has not.
        return None if self.tool_filter is not None else list(self._tools)

    async def _run(self, operation: PooledOperation, result_type: type[_R], **fields: Any) -> _R:
        request = {"factory_argument": self._factory_argument, **fields}
        try:
            value = await workflow.execute_activity(
                pooled_activity(self._name, operation),
                request,
                result_type=dict[str, Any],
                **self._options,
            )
        except ActivityError as error:
            lifted = lifted_failure(error)
            if lifted is None:
                raise
            raise lifted from error
        return result_type.model_validate(value)

    async def _fetch_tools(self) -> list[Tool]:
        return (await self._run("list-tools", ListToolsResult)).tools

    async def list_tools(
        self,
        run_context: RunContextWrapper[Any] | None = None,
        agent: AgentBase | None = None,
    ) -> list[Tool]:
        tools = list(await self._listed_tools())
        if self.tool_filter is None:
            return tools
        if isinstance(self.tool_filter, dict):
            return _static_filter(tools, cast(ToolFilterStatic, self.tool_filter))
        if run_context is None or agent is None:
            raise AgentsWorkflowError(
                f"MCP server {self._name!r} has a callable tool_filter, which needs the run "
                "context and the agent: let the agent list the tools",
                type="AgentsConfigurationError",
            )
        context = ToolFilterContext(run_context=run_context, agent=agent, server_name=self._name)
        kept: list[Tool] = []
        for tool in tools:
            keep = self.tool_filter(context, tool)
            if inspect.isawaitable(keep):
                keep = await keep
            if keep:
                kept.append(tool)
        return kept

    async def call_tool(
        self,
        tool_name: str,
        arguments: dict[str, Any] | None,
        meta: dict[str, Any] | None = None,
    ) -> CallToolResult:
        return await self._run(
            "call-tool", CallToolResult, name=tool_name, arguments=arguments, meta=meta
        )

    async def list_prompts(self) -> ListPromptsResult:
        return await self._run("list-prompts", ListPromptsResult)

    async def get_prompt(
        self, name: str, arguments: dict[str, Any] | None = None
    ) -> GetPromptResult:
        # MCP prompt arguments are strings; the Agents SDK lets callers pass any value.
        text = None if arguments is None else {key: str(value) for key, value in arguments.items()}
        return await self._run("get-prompt", GetPromptResult, name=name, arguments=text)

    async def list_resources(self, cursor: str | None = None) -> ListResourcesResult:
        self._refuse_cursor(cursor)
        return await self._run("list-resources", ListResourcesResult)

    async def list_resource_templates(
        self, cursor: str | None = None
    ) -> ListResourceTemplatesResult:
        self._refuse_cursor(cursor)
        return await self._run("list-resource-templates", ListResourceTemplatesResult)

    async def read_resource(self, uri: str) -> ReadResourceResult:
        return await self._run("read-resource", ReadResourceResult, uri=uri)

    def _refuse_cursor(self, cursor: str | None) -> None:
        if cursor is not None:
            raise AgentsWorkflowError(
                f"MCP server {self._name!r} returns every page at once in a workflow; call it "
                "without a cursor",
                type="AgentsConfigurationError",
            )


def temporal_mcp_server(
    name: str,
    activity_config: workflow.ActivityConfig | None = None,
    cache_tools_list: bool = True,
    factory_argument: Any = None,
    **server_options: Any,
) -> MCPServer:
    """An MCP server for ``Agent(mcp_servers=[...])`` in a workflow, each request an activity.

    The worker registers the server with ``OpenAIAgentsPlugin(mcp_servers={name: factory})``
    and shares one connection among its activities where the server's protocol allows (see
    ``mcp_connection_idle_timeout``)::

        agent = Agent(name="Scribe", mcp_servers=[temporal_mcp_server("notebook")])

    Args:
        name: The name the server is registered under in ``mcp_servers``.
        activity_config: Activity options for the requests; by default a minute per attempt
            and Temporal's default retries.
        cache_tools_list: Keep the tool list in workflow state after the first listing (the
            default), instead of an activity on every agent turn.
        factory_argument: A value handed to the worker's factory, which then builds a server
            for that call alone. It is recorded in workflow history: never put secrets in it.
        **server_options: Agents SDK ``MCPServer`` options, run in the workflow:
            ``require_approval``, ``failure_error_function``, ``tool_filter`` (a callable one
            must be deterministic), ``use_structured_content``, ``tool_meta_resolver``...

    Returns:
        The stand-in MCP server.

    Raises:
        AgentsWorkflowError: In a workflow, no server of that name is in the plugin's
            ``mcp_servers``.
    """
    if workflow.in_workflow():
        names = current_context().pooled_mcp_server_names
        if name not in names:
            registered = ", ".join(repr(known) for known in sorted(names)) or "none"
            raise AgentsWorkflowError(
                f"No MCP server named {name!r} is in OpenAIAgentsPlugin(mcp_servers={{...}}) on "
                f"this worker (registered: {registered}). Fix the name, or add "
                f"mcp_servers={{{name!r}: factory}} to the plugin",
                type="AgentsConfigurationError",
            )
    return TemporalMCPServer(
        name,
        activity_config=activity_config,
        cache_tools_list=cache_tools_list,
        factory_argument=factory_argument,
        **server_options,
    )
