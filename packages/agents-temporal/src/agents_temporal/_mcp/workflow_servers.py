"""Workflow side: stateless_mcp_server and stateful_mcp_server for agents in workflows."""

from __future__ import annotations

import asyncio
import warnings
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from types import TracebackType
from typing import Any, TypeVar

from agents import AgentsException, RunContextWrapper
from agents.mcp import MCPServer
from agents.mcp.server import RequireApprovalSetting
from agents.tool import ToolErrorFunction
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, TimeoutError, TimeoutType

from .._errors import AgentsWorkflowError
from .._workflow_context import current_context
from .common import (
    DEDICATED_WORKER_FAILURE,
    MCP_SERVER_START_ERROR,
    Operation,
    SessionRequest,
    close_session_activity,
    operation_activity,
    session_activity,
)
from .stand_in import ActivityMCPServer

_T = TypeVar("_T")

DEFAULT_SESSION_TIMEOUT = timedelta(hours=1)
DEFAULT_SESSION_HEARTBEAT_TIMEOUT = timedelta(seconds=30)
_CLOSE_TIMEOUT = timedelta(seconds=30)

# Errors that mean the session itself is unusable: they must reach the workflow, not be turned
# into tool output for the model by the Agents SDK's tool error handling.
_SESSION_ERROR_TYPES = (DEDICATED_WORKER_FAILURE, MCP_SERVER_START_ERROR)


def _deprecated(function: str) -> None:
    warnings.warn(
        f"{function}() is deprecated, as in Temporal's published integration: register the "
        "server with OpenAIAgentsPlugin(mcp_servers={name: factory}) and use "
        "workflow.temporal_mcp_server(name)",
        DeprecationWarning,
        stacklevel=3,
    )


def _unregistered(name: str) -> AgentsWorkflowError | None:
    """The error for a server name no provider on this worker serves (None: it is served)."""
    # Outside a workflow the stand-in can be built (and inspected) but not used: its requests
    # are workflow activities.
    if not workflow.in_workflow():
        return None
    names = current_context().mcp_server_names
    if name in names:
        return None
    registered = ", ".join(repr(known) for known in sorted(names)) or "none"
    return AgentsWorkflowError(
        f"No MCP server named {name!r} is registered with OpenAIAgentsPlugin on this worker "
        f"(registered: {registered}). Fix the name, or add StatelessMCPServerProvider(...) "
        "or StatefulMCPServerProvider(...) for it to "
        "OpenAIAgentsPlugin(mcp_server_providers=[...])",
        type="AgentsConfigurationError",
    )


class MCPSessionError(ApplicationError, AgentsException):
    """A stateful session is unusable: an ``ApplicationError`` the Agents SDK lets through.

    The SDK wraps any other exception a tool raises in a ``UserError``, which would hide the
    error's type from the workflow; an ``AgentsException`` it re-raises as it is.
    """

    def __init__(self, message: str, *, type: str) -> None:
        super().__init__(message, type=type, non_retryable=True)


def _session_error_in(error: BaseException) -> ApplicationError | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ApplicationError) and current.type in _SESSION_ERROR_TYPES:
            return current
        current = current.__cause__ or current.__context__
    return None


class SessionMCPServer(ActivityMCPServer):
    """The stand-in for a server held by a stateful session.

    Its requests run on the session's own task queue, served by the worker that holds the
    connection, and each one races the session activity, so a session that dies fails the
    request at once instead of leaving it waiting for a worker that will never come.
    """

    def __init__(
        self,
        name: str,
        *,
        task_queue: str,
        session: workflow.ActivityHandle[None],
        config: workflow.ActivityConfig | None,
        cache_tools_list: bool,
        require_approval: RequireApprovalSetting,
    ) -> None:
        super().__init__(
            name,
            config=config,
            cache_tools_list=cache_tools_list,
            require_approval=require_approval,
        )
        self.task_queue = task_queue
        self.session = session
        self.closed = False

    async def _run_activity(
        self, operation: Operation, request: Any, result_type: type[_T], summary: str
    ) -> _T:
        if self.closed:
            raise AgentsWorkflowError(
                f"The stateful MCP server {self.name!r} was used after its "
                "`async with stateful_mcp_server(...)` block ended",
                type="AgentsConfigurationError",
            )
        if self.session.done():
            raise self._session_ended()
        options: workflow.ActivityConfig = {"summary": f"{self.name}: {summary}"}
        options.update(self._options)
        options["task_queue"] = self.task_queue
        handle = workflow.start_activity(
            operation_activity(self.name, operation),
            args=[] if request is None else [request],
            result_type=result_type,
            **options,
        )
        racers: list[asyncio.Task[Any]] = [handle, self.session]
        try:
            await workflow.wait(racers, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not handle.done():
                # The session ended first (or the workflow is being cancelled): nobody will
                # serve the request now.
                handle.cancel()
        if handle.done() and not handle.cancelled():
            return handle.result()
        raise self._session_ended()

    def _failure(self, operation: Operation, error: ActivityError) -> Exception | None:
        cause = error.cause
        if isinstance(cause, ApplicationError) and cause.type == DEDICATED_WORKER_FAILURE:
            return self._lost(cause.message)
        return super()._failure(operation, error)

    def _lost(self, detail: str) -> MCPSessionError:
        detail = detail.strip().rstrip(".")
        return MCPSessionError(
            f"The stateful session of MCP server {self.name!r} is gone: {detail}. Its state "
            "cannot be restored by a retry: catch ApplicationError with type "
            "'DedicatedWorkerFailure' and open a new stateful_mcp_server(...) session to start "
            "over.",
            type=DEDICATED_WORKER_FAILURE,
        )

    def _session_ended(self) -> Exception:
        """The error for a request made to a session whose activity has ended."""
        if self.session.cancelled():
            return self._lost("its session activity was cancelled")
        error = self.session.exception()
        cause = error.cause if isinstance(error, ActivityError) else error
        if isinstance(cause, ApplicationError):
            if cause.type == MCP_SERVER_START_ERROR:
                return MCPSessionError(cause.message, type=MCP_SERVER_START_ERROR)
            if cause.type == "NotFoundError":
                return AgentsWorkflowError(
                    f"No worker serves stateful sessions of MCP server {self.name!r}: register "
                    "it with StatefulMCPServerProvider (a StatelessMCPServerProvider only "
                    "serves stateless_mcp_server)",
                    type="AgentsConfigurationError",
                )
            return self._lost(cause.message)
        if isinstance(cause, TimeoutError):
            if cause.type == TimeoutType.HEARTBEAT:
                return self._lost("the worker holding the session stopped heartbeating")
            kind = cause.type.name.lower() if cause.type is not None else "a"
            return self._lost(f"the session ran out of time ({kind} timeout)")
        return self._lost(f"its session activity ended ({cause or 'without an error'})")

    def _get_failure_error_function(
        self, agent_failure_error_function: ToolErrorFunction | None
    ) -> ToolErrorFunction | None:
        inner = super()._get_failure_error_function(agent_failure_error_function)

        def report(context: RunContextWrapper[Any], error: Exception) -> Any:
            session_error = _session_error_in(error)
            if session_error is not None:
                # A fresh error: raising the one already in the chain would make the chain a
                # cycle, which the failure converter would follow forever.
                fresh = MCPSessionError(session_error.message, type=session_error.type or "")
                raise fresh from session_error.__cause__
            if inner is None:
                raise error
            return inner(context, error)

        return report


def session_options(config: workflow.ActivityConfig | None, name: str) -> workflow.ActivityConfig:
    """How the session activity runs: the user's options over ours, with no retries."""
    options: workflow.ActivityConfig = {
        "start_to_close_timeout": DEFAULT_SESSION_TIMEOUT,
        "heartbeat_timeout": DEFAULT_SESSION_HEARTBEAT_TIMEOUT,
        "summary": f"{name}: MCP session",
    }
    options.update(config or {})
    if options.get("heartbeat_timeout") is None:
        # Without a heartbeat timeout a dead worker goes unnoticed until start_to_close.
        options["heartbeat_timeout"] = DEFAULT_SESSION_HEARTBEAT_TIMEOUT
    # A retry would start a fresh server with none of the session's state and carry on as if
    # nothing happened; the workflow must decide instead.
    options["retry_policy"] = RetryPolicy(maximum_attempts=1)
    return options


class _StatefulSession(AbstractAsyncContextManager[MCPServer]):
    def __init__(
        self,
        name: str,
        config: workflow.ActivityConfig | None,
        server_session_config: workflow.ActivityConfig | None,
        cache_tools_list: bool,
        require_approval: RequireApprovalSetting,
        factory_argument: Any,
    ) -> None:
        self._name = name
        self._factory_argument = factory_argument
        self._config = config
        self._session_config = server_session_config
        self._cache_tools_list = cache_tools_list
        self._require_approval: RequireApprovalSetting = require_approval
        self._server: SessionMCPServer | None = None

    async def __aenter__(self) -> MCPServer:
        if self._server is not None:
            raise AgentsWorkflowError(
                f"stateful_mcp_server({self._name!r}) was entered twice; call it again for a "
                "new session",
                type="AgentsConfigurationError",
            )
        task_queue = f"{workflow.info().task_queue}/mcp/{self._name}/{workflow.uuid4()}"
        session = workflow.start_activity(
            session_activity(self._name),
            SessionRequest(task_queue=task_queue, factory_argument=self._factory_argument),
            **session_options(self._session_config, self._name),
        )
        self._server = SessionMCPServer(
            self._name,
            task_queue=task_queue,
            session=session,
            config=self._config,
            cache_tools_list=self._cache_tools_list,
            require_approval=self._require_approval,
        )
        return self._server

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._server is not None
        server = self._server
        server.closed = True
        session = server.session
        if session.done():
            if not session.cancelled():
                session.exception()  # already reported to the workflow, or moot now
            return
        if exc_type is not None and not issubclass(exc_type, Exception):
            # The workflow is being cancelled: start nothing new, let the session go.
            session.cancel()
            return
        # Cancelling would reach the activity only with its next heartbeat, which the SDK may
        # hold back for most of the heartbeat timeout; the session's own worker can end it at
        # once. Waiting for the end means the server is closed before the block is left.
        close = workflow.start_activity(
            close_session_activity(server.name),
            task_queue=server.task_queue,
            start_to_close_timeout=_CLOSE_TIMEOUT,
            summary=f"{server.name}: close MCP session",
        )
        racers: list[asyncio.Task[Any]] = [close, session]
        await workflow.wait(racers, return_when=asyncio.FIRST_COMPLETED)
        if not close.done():
            close.cancel()  # the session ended first: its worker is gone
        elif not close.cancelled():
            close.exception()  # a failed close changes nothing: the session ends either way
        try:
            await session
        except ActivityError:
            pass  # it failed while closing: nothing is left to close


def stateless_mcp_server(
    name: str,
    config: workflow.ActivityConfig | None = None,
    cache_tools_list: bool = False,
    factory_argument: Any = None,
    *,
    require_approval: RequireApprovalSetting = None,
) -> MCPServer:
    """An MCP server for ``Agent(mcp_servers=[...])`` in a workflow, served statelessly.

    Each request (list tools, call a tool, list prompts, get a prompt) runs as an activity
    that connects to the server, makes the request and disconnects, so retries are safe. The
    worker must register ``StatelessMCPServerProvider`` for a server of this name.

    Deprecated, as in Temporal's published integration: use ``temporal_mcp_server``.

    Args:
        name: The server's name, as given to its Agents SDK constructor in the provider's
            factory.
        config: Activity options for the requests (timeouts, retry policy, task queue, ...);
            by default a minute per attempt and Temporal's default retries.
        cache_tools_list: Fetch the tool list once and keep it in workflow state, instead of
            running an activity for it on every agent turn.
        factory_argument: A value handed to the provider's factory for each request. It is
            recorded in workflow history: never put secrets in it.
        require_approval: An approval policy for the server's tools, as the Agents SDK's MCP
            servers take it, that runs in the workflow; a callable policy must be given here.
            When None, the worker-side server's own ``require_approval`` applies.

    Returns:
        The stand-in MCP server whose methods run the activities.

    Raises:
        AgentsWorkflowError: No provider of that name is registered with the plugin.
    """
    _deprecated("stateless_mcp_server")
    error = _unregistered(name)
    if error is not None:
        raise error
    return ActivityMCPServer(
        name,
        config=config,
        cache_tools_list=cache_tools_list,
        require_approval=require_approval,
        factory_argument=factory_argument,
    )


def stateful_mcp_server(
    name: str,
    config: workflow.ActivityConfig | None = None,
    server_session_config: workflow.ActivityConfig | None = None,
    factory_argument: Any = None,
    *,
    cache_tools_list: bool = False,
    require_approval: RequireApprovalSetting = None,
) -> AbstractAsyncContextManager[MCPServer]:
    """One session with an MCP server that keeps state, for the length of an ``async with``.

    Entering starts a long-running, heartbeating session activity that connects to the server
    and serves every request of the block on that one connection. Leaving ends it. The worker
    must register ``StatefulMCPServerProvider`` for a server of this name::

        async with stateful_mcp_server("Notebook") as server:
            agent = Agent(name="Scribe", mcp_servers=[server])
            result = await Runner.run(agent, "Remember that the meeting moved to 3pm")

    If the server or the worker holding the session dies, requests fail with
    ``ApplicationError(type="DedicatedWorkerFailure")`` within the heartbeat timeout; the
    session's state is lost, so recovery (a new session, starting over) is up to the workflow.

    Deprecated, as in Temporal's published integration: use ``temporal_mcp_server``.

    Args:
        name: The server's name, as given to its Agents SDK constructor in the provider's
            factory.
        config: Activity options for each request; the task queue is always the session's.
        server_session_config: Activity options for the session activity: by default an hour
            in all and a 30 second heartbeat timeout. It is never retried.
        factory_argument: A value handed to the provider's factory when the session starts.
            It is recorded in workflow history: never put secrets in it.
        cache_tools_list: Fetch the tool list once per session and keep it in workflow state.
        require_approval: An approval policy that runs in the workflow, as for
            ``stateless_mcp_server``.

    Returns:
        An async context manager whose value goes in ``Agent(mcp_servers=[...])``.

    Raises:
        AgentsWorkflowError: No provider of that name is registered with the plugin.
    """
    _deprecated("stateful_mcp_server")
    error = _unregistered(name)
    if error is not None:
        # Temporal's published integration reports a stateful server no worker serves with
        # this message (its requests time out waiting for a worker); the cause says why.
        raise AgentsWorkflowError(
            "MCP Stateful Server Worker failed to schedule activity.",
            type=DEDICATED_WORKER_FAILURE,
        ) from error
    return _StatefulSession(
        name, config, server_session_config, cache_tools_list, require_approval, factory_argument
    )
