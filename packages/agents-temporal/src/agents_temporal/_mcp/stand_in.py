"""Workflow side: the session-era MCP stand-in, each method one activity of its own.

``stateless_mcp_server`` and ``stateful_mcp_server`` give agents this server: every operation
is an activity named for the server and the operation, and the worker-side server's approval
settings travel with the tool list. What every stand-in shares is in ``stand_in_base``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from agents import RunContextWrapper
from agents.mcp.server import RequireApprovalSetting
from mcp.types import CallToolResult, GetPromptResult, ListPromptsResult, Tool
from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, TimeoutError

from .common import (
    MCP_TIMEOUT,
    CallToolRequest,
    FactoryRequest,
    GetPromptRequest,
    Operation,
    ToolListing,
    operation_activity,
)
from .stand_in_base import WorkflowMCPServer, lifted_failure

_T = TypeVar("_T")

DEFAULT_OPERATION_TIMEOUT = timedelta(minutes=1)


def operation_options(config: workflow.ActivityConfig | None) -> workflow.ActivityConfig:
    """The user's activity options over ours (a minute per attempt)."""
    options: workflow.ActivityConfig = {"start_to_close_timeout": DEFAULT_OPERATION_TIMEOUT}
    options.update(config or {})
    return options


class ActivityMCPServer(WorkflowMCPServer):
    """An Agents SDK ``MCPServer`` whose requests run as activities on a worker."""

    def __init__(
        self,
        name: str,
        *,
        config: workflow.ActivityConfig | None,
        cache_tools_list: bool,
        require_approval: RequireApprovalSetting,
        factory_argument: Any = None,
    ) -> None:
        super().__init__(
            name,
            options=operation_options(config),
            cache_tools_list=cache_tools_list,
            factory_argument=factory_argument,
            require_approval=require_approval,
        )
        self._approval_from_workflow = require_approval is not None
        self._needs_approval: dict[str, bool] = {}

    @property
    def cached_tools(self) -> list[Tool] | None:
        if self._tools is None:
            return None
        return [tool.model_copy(deep=True) for tool in self._tools]

    async def list_tools(
        self,
        run_context: RunContextWrapper[Any] | None = None,
        agent: Any = None,
    ) -> list[Tool]:
        # The activity cannot see the run context or the agent, so a dynamic tool filter on
        # the worker-side server sees neither; static filters apply there as configured.
        return [tool.model_copy(deep=True) for tool in await self._listed_tools()]

    async def _fetch_tools(self) -> list[Tool]:
        listing = await self._execute(
            "list_tools", self._factory_request(), ToolListing, "list tools"
        )
        self._needs_approval = listing.needs_approval
        self.use_structured_content = listing.use_structured_content
        return listing.tools

    async def call_tool(
        self,
        tool_name: str,
        arguments: dict[str, Any] | None,
        meta: dict[str, Any] | None = None,
    ) -> CallToolResult:
        request = CallToolRequest(
            tool_name=tool_name,
            arguments=arguments,
            meta=meta,
            factory_argument=self._factory_argument,
        )
        return await self._execute("call_tool", request, CallToolResult, tool_name)

    async def list_prompts(self) -> ListPromptsResult:
        return await self._execute(
            "list_prompts", self._factory_request(), ListPromptsResult, "list prompts"
        )

    async def get_prompt(
        self, name: str, arguments: dict[str, Any] | None = None
    ) -> GetPromptResult:
        request = GetPromptRequest(
            name=name, arguments=arguments, factory_argument=self._factory_argument
        )
        return await self._execute("get_prompt", request, GetPromptResult, f"prompt {name}")

    def _factory_request(self) -> FactoryRequest | None:
        # Without an argument the activity is called with none, as before factory arguments
        # existed.
        if self._factory_argument is None:
            return None
        return FactoryRequest(factory_argument=self._factory_argument)

    def _get_needs_approval_for_tool(self, tool: Tool, agent: Any) -> Any:
        # A require_approval given in the workflow wins: it may be a callable, which can only
        # run here, next to the run context. Otherwise the worker-side server's own setting
        # decides, as reported with the tool list.
        if self._approval_from_workflow or self._tools is None:
            return super()._get_needs_approval_for_tool(tool, agent)
        return self._needs_approval.get(tool.name, False)

    async def _execute(
        self, operation: Operation, request: Any, result_type: type[_T], summary: str
    ) -> _T:
        try:
            return await self._run_activity(operation, request, result_type, summary)
        except ActivityError as error:
            failure = self._failure(operation, error)
            if failure is None:
                raise
            raise failure from error

    async def _run_activity(
        self, operation: Operation, request: Any, result_type: type[_T], summary: str
    ) -> _T:
        options: workflow.ActivityConfig = {"summary": f"{self._name}: {summary}"}
        options.update(self._options)
        return await workflow.execute_activity(
            operation_activity(self._name, operation),
            args=[] if request is None else [request],
            result_type=result_type,
            **options,
        )

    def _failure(self, operation: Operation, error: ActivityError) -> Exception | None:
        """The error a workflow sees when an MCP activity fails for good (None: as it is)."""
        lifted = lifted_failure(error)
        if lifted is not None:
            return lifted
        cause = error.cause
        if isinstance(cause, TimeoutError):
            kind = cause.type.name.lower() if cause.type is not None else "timeout"
            return ApplicationError(
                f"MCP server {self._name!r}: {operation} timed out ({kind}); give it more time "
                "with config={'start_to_close_timeout': ...}",
                type=MCP_TIMEOUT,
                non_retryable=True,
            )
        return None
