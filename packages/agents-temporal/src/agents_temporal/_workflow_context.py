"""Workflow side: which plugin settings apply to the workflow running now.

Several workers with different plugin settings may share one process (tests do), so the
settings cannot be a process global. A workflow interceptor installed by each plugin pins its
settings to the workflow's event loop, which is unique to one workflow run.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.worker import (
    ExecuteWorkflowInput,
    HandleSignalInput,
    HandleUpdateInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from ._errors import AgentsWorkflowError
from ._params import ModelActivityParameters

_T = TypeVar("_T")
_ATTR = "_agents_temporal_context"


@dataclass(frozen=True)
class WorkflowAgentsContext:
    """What the agent runner needs to know inside one workflow run."""

    model_params: ModelActivityParameters
    mcp_server_names: frozenset[str] = frozenset()
    pooled_mcp_server_names: frozenset[str] = frozenset()


def current_context() -> WorkflowAgentsContext:
    """The plugin settings of the workflow running now."""
    context = getattr(asyncio.get_running_loop(), _ATTR, None)
    if not isinstance(context, WorkflowAgentsContext):
        raise AgentsWorkflowError(
            "Agents are running in a workflow whose worker does not have OpenAIAgentsPlugin: "
            "pass plugins=[OpenAIAgentsPlugin(...)] to Client.connect (workers built from that "
            "client inherit it) or to Worker(...)"
        )
    return context


def _run_inline(
    self: asyncio.AbstractEventLoop, executor: Executor | None, func: Callable[..., _T], *args: Any
) -> asyncio.Future[_T]:
    # Workflows have no threads. The Agents SDK runs sync function tools through
    # asyncio.to_thread; workflow tools must be deterministic anyway, so running them inline on
    # the workflow thread is both safe and what the user meant.
    future: asyncio.Future[_T] = self.create_future()
    try:
        future.set_result(func(*args))
    except BaseException as error:
        future.set_exception(error)
    return future


class _Inbound(WorkflowInboundInterceptor):
    context: WorkflowAgentsContext

    def _install(self) -> None:
        loop = asyncio.get_running_loop()
        if getattr(loop, _ATTR, None) is not self.context:
            setattr(loop, _ATTR, self.context)
            loop.run_in_executor = functools.partial(_run_inline, loop)

    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        self._install()
        return await super().execute_workflow(input)

    async def handle_signal(self, input: HandleSignalInput) -> None:
        self._install()
        return await super().handle_signal(input)

    async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
        self._install()
        return await super().handle_update_handler(input)


class AgentsInterceptor(Interceptor):
    """Installs a plugin's settings in every workflow its worker runs."""

    def __init__(self, context: WorkflowAgentsContext) -> None:
        self._context = context

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        return type("AgentsWorkflowInbound", (_Inbound,), {"context": self._context})


def registered_mcp_servers() -> frozenset[str]:
    """Names of the MCP servers the current workflow's worker registered, in either form.

    Workflow code can use it to choose between an MCP server and another tool; the answer is
    the worker's configuration, so change it between conversations, not in the middle of one.
    """
    context = current_context()
    return context.mcp_server_names | context.pooled_mcp_server_names


def in_workflow() -> bool:
    """Whether the caller runs inside a Temporal workflow."""
    return workflow.in_workflow()
