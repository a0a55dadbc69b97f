"""Workflow side: what every MCP stand-in shares, whichever activities serve its requests.

An agent in a workflow is given an Agents SDK ``MCPServer`` whose requests run as activities on
a worker, which owns the connections. The stand-in keeps only deterministic workflow state (its
name, its activity options, the ``factory_argument`` and, when asked, the tool list), so a
workflow that uses it replays exactly. Each form (``temporal_server``, the current one, and
``stand_in``, the session-era one) says how a request becomes an activity and what a listing
holds.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from agents.mcp import MCPServer
from mcp.types import Tool
from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError


class WorkflowMCPServer(MCPServer):
    """An Agents SDK ``MCPServer`` in a workflow whose requests run as activities.

    ``connect()`` and ``cleanup()`` do nothing: the worker owns the connections.
    """

    def __init__(
        self,
        name: str,
        *,
        options: workflow.ActivityConfig,
        cache_tools_list: bool,
        factory_argument: Any,
        **server_options: Any,
    ) -> None:
        super().__init__(**server_options)
        self._name = name
        self._options = options
        self._cache_tools_list = cache_tools_list
        self._factory_argument = factory_argument
        self._tools: list[Tool] | None = None

    @property
    def name(self) -> str:
        return self._name

    async def connect(self) -> None:
        """Nothing to do: the worker connects, inside the activities."""

    async def cleanup(self) -> None:
        """Nothing to do: the worker closes its connections."""

    def invalidate_tools_cache(self) -> None:
        """List the tools again on the next ``list_tools``."""
        self._tools = None

    async def _listed_tools(self) -> list[Tool]:
        """The tool list: the one in workflow state, unless there is none or caching is off."""
        if self._tools is None or not self._cache_tools_list:
            self._tools = await self._fetch_tools()
        return self._tools

    @abstractmethod
    async def _fetch_tools(self) -> list[Tool]:
        """Ask the worker for the tool list (an activity)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._name!r})"


def lifted_failure(error: ActivityError) -> ApplicationError | None:
    """The activity's own ``ApplicationError``, ready to reach the run's caller; else None.

    An MCP activity's message already says what went wrong with which server; lifted out of the
    "Activity task failed" wrapper (non-retryable: the activity's retries are spent), it is
    what the workflow's caller reads.
    """
    cause = error.cause
    if not isinstance(cause, ApplicationError):
        return None
    return ApplicationError(cause.message, *cause.details, type=cause.type, non_retryable=True)
