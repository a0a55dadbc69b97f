"""Activity side: one connection to a real MCP server (start, requests, liveness, errors)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shlex
import tempfile
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, TextIO, TypeVar, cast

from agents.exceptions import UserError
from agents.mcp import MCPServer, MCPServerStdio
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError
from mcp.types import (
    CONNECTION_CLOSED,
    REQUEST_TIMEOUT,
    CallToolResult,
    GetPromptResult,
    ListPromptsResult,
)
from temporalio.exceptions import ApplicationError

from .common import (
    DEDICATED_WORKER_FAILURE,
    MCP_REQUEST_ERROR,
    MCP_SERVER_START_ERROR,
    MCP_SERVER_UNAVAILABLE,
    CallToolRequest,
    GetPromptRequest,
    ToolListing,
)

_T = TypeVar("_T")
_STDERR_TAIL_LINES = 20
_STDERR_TAIL_BYTES = 4000

logger = logging.getLogger("agents_temporal.mcp")


def _leaves(error: BaseException) -> list[BaseException]:
    """The real errors inside (possibly nested) exception groups."""
    if isinstance(error, BaseExceptionGroup):
        group = cast("BaseExceptionGroup[BaseException]", error)
        return [leaf for inner in group.exceptions for leaf in _leaves(inner)]
    return [error]


def _describe(error: BaseException) -> str:
    return "; ".join(str(leaf) or type(leaf).__name__ for leaf in _leaves(error))


class _Stderr:
    """A stdio server's stderr, sent to a file we own so that errors can quote it."""

    def __init__(self) -> None:
        self.file = cast(TextIO, tempfile.TemporaryFile(mode="w+", encoding="utf-8"))

    def text(self) -> str:
        # pread leaves the shared file offset alone: the server may still be writing to it.
        fd = self.file.fileno()
        size = os.fstat(fd).st_size
        start = max(0, size - _STDERR_TAIL_BYTES)
        return os.pread(fd, size - start, start).decode("utf-8", errors="replace")

    def tail(self) -> str:
        lines = [line for line in self.text().splitlines() if line.strip()]
        if not lines:
            return "It wrote nothing to stderr."
        shown = "\n".join(f"  {line}" for line in lines[-_STDERR_TAIL_LINES:])
        return f"The end of its stderr:\n{shown}"


def _capture_stderr(server: MCPServer) -> _Stderr | None:
    # Only the SDK's own stdio transport is rewired; a subclass with its own streams is left as
    # its author wrote it.
    if not isinstance(server, MCPServerStdio):
        return None
    if type(server).create_streams is not MCPServerStdio.create_streams:
        return None
    stderr = _Stderr()
    params = server.params
    vars(server)["create_streams"] = lambda: stdio_client(params, errlog=stderr.file)
    return stderr


def _command(server: MCPServerStdio) -> str:
    return shlex.join([server.params.command, *server.params.args])


def _start_failure(server: MCPServer, error: BaseException, stderr: _Stderr | None) -> Exception:
    reason = _describe(error)
    if not isinstance(server, MCPServerStdio):
        return ApplicationError(
            f"MCP server {server.name!r} is not reachable: {reason}",
            type=MCP_SERVER_UNAVAILABLE,
        )
    leaves = _leaves(error)
    if any(isinstance(leaf, OSError) for leaf in leaves):
        what, retry = "could not be run", False
    elif any(isinstance(leaf, MCPError) and leaf.code == CONNECTION_CLOSED for leaf in leaves):
        what, retry = "exited before completing the MCP handshake", False
    else:
        # A slow start (a first `npx` download, a busy machine) may well succeed next time.
        what, retry = "did not complete the MCP handshake", True
    tail = f" {stderr.tail()}" if stderr is not None else ""
    return ApplicationError(
        f"MCP server {server.name!r} failed to start: `{_command(server)}` {what} ({reason})."
        f"{tail}",
        type=MCP_SERVER_START_ERROR,
        non_retryable=not retry,
    )


class MCPConnection:
    """A connected MCP server and the requests a workflow can make of it.

    Errors become ``ApplicationError`` with a type from ``_mcp_common``: a request the server
    rejects is not retried; a lost connection is retried on a new connection, except in a
    dedicated (stateful) session, where it means the session's state is gone.
    """

    def __init__(self, server: MCPServer, stderr: _Stderr | None, *, dedicated: bool) -> None:
        self.server = server
        self._stderr = stderr
        self._dedicated = dedicated
        self._lost = asyncio.Event()
        self.lost_reason = ""

    @property
    def lost(self) -> bool:
        """Whether the server closed the connection or stopped answering for good."""
        return self._lost.is_set()

    async def request(self, what: str, request: Callable[[], Awaitable[_T]]) -> _T:
        """Make ``request`` of the server, its errors turned into ``ApplicationError``."""
        return await self._request(what, request)

    def _mark_lost(self, reason: str) -> ApplicationError:
        tail = f" {self._stderr.tail()}" if self._stderr is not None else ""
        if not self._lost.is_set():
            self.lost_reason = f"MCP server {self.server.name!r} {reason}.{tail}"
            self._lost.set()
        if self._dedicated:
            return ApplicationError(
                self.lost_reason, type=DEDICATED_WORKER_FAILURE, non_retryable=True
            )
        return ApplicationError(self.lost_reason, type=MCP_SERVER_UNAVAILABLE)

    async def _request(self, what: str, request: Callable[[], Awaitable[_T]]) -> _T:
        if self._lost.is_set():
            raise self._mark_lost("closed the connection earlier")
        try:
            return await request()
        except MCPError as error:
            if error.code == CONNECTION_CLOSED:
                raise self._mark_lost(f"closed the connection during {what}") from None
            if error.code == REQUEST_TIMEOUT:
                raise ApplicationError(
                    f"MCP server {self.server.name!r} did not answer {what} in time",
                    type=MCP_SERVER_UNAVAILABLE,
                ) from None
            raise ApplicationError(
                f"MCP server {self.server.name!r} rejected {what}: {error.message}",
                type=MCP_REQUEST_ERROR,
                non_retryable=True,
            ) from None
        except UserError as error:
            # The Agents SDK checks requests before sending them; these never pass on a retry.
            raise ApplicationError(
                f"MCP server {self.server.name!r} cannot run {what}: {error}",
                type=MCP_REQUEST_ERROR,
                non_retryable=True,
            ) from None

    async def list_tools(self) -> ToolListing:
        """The server's tools and, per tool, whether its approval setting asks for approval."""
        tools = await self._request("list_tools", self.server.list_tools)
        approvals: dict[str, bool] = {}
        for tool in tools:
            # Without an agent the SDK answers a callable policy with True (fail closed);
            # static policies (bool, per-tool names) come back as they were configured.
            decision = self.server._get_needs_approval_for_tool(tool, None)  # pyright: ignore[reportPrivateUsage]
            approvals[tool.name] = decision if isinstance(decision, bool) else True
        return ToolListing(
            tools=tools,
            needs_approval=approvals,
            use_structured_content=self.server.use_structured_content,
        )

    async def call_tool(self, request: CallToolRequest) -> CallToolResult:
        """Call one tool."""
        server = self.server

        async def call() -> CallToolResult:
            if request.meta is None:
                return await server.call_tool(request.tool_name, request.arguments)
            return await server.call_tool(request.tool_name, request.arguments, meta=request.meta)

        return await self._request(f"the call to tool {request.tool_name!r}", call)

    async def list_prompts(self) -> ListPromptsResult:
        """The server's prompts."""
        return await self._request("list_prompts", self.server.list_prompts)

    async def get_prompt(self, request: GetPromptRequest) -> GetPromptResult:
        """One prompt, rendered with ``request.arguments``."""
        return await self._request(
            f"prompt {request.name!r}",
            lambda: self.server.get_prompt(request.name, request.arguments),
        )

    async def watch(self, interval: float, stop: asyncio.Event) -> str | None:
        """Wait up to ``interval`` seconds or until ``stop``; say why the server is gone, if it is.

        A request that finds the connection closed ends the wait at once. Otherwise the server
        is probed: any answer, even an error (newer MCP servers no longer implement ``ping``),
        proves it alive; only a closed connection proves it gone. A probe that times out is
        not taken as death, since a busy server may be slow to answer.
        """
        waits = [asyncio.ensure_future(self._lost.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waits, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        if self._lost.is_set():
            return self.lost_reason
        if stop.is_set():
            return None
        session = getattr(self.server, "session", None)
        if session is None or not hasattr(session, "send_ping"):
            return None
        try:
            await asyncio.wait_for(session.send_ping(), interval)
        except MCPError as error:
            if error.code == CONNECTION_CLOSED:
                self._mark_lost("exited or closed the connection")
                return self.lost_reason
        except TimeoutError:
            return None
        except Exception as error:  # an HTTP transport error: the server is unreachable
            self._mark_lost(f"is unreachable ({_describe(error)})")
            return self.lost_reason
        return None


async def _cleanup(server: MCPServer) -> None:
    try:
        await server.cleanup()
    except Exception as error:  # the request already succeeded or failed; don't mask that
        logger.warning("Closing MCP server %r failed: %s", server.name, _describe(error))


@contextlib.asynccontextmanager
async def connected(server: MCPServer, *, dedicated: bool = False) -> AsyncGenerator[MCPConnection]:
    """Connect to ``server`` for the body, then close it.

    Raises:
        ApplicationError: The server failed to start or could not be reached, with the
            command and the end of its stderr for a stdio server.
    """
    stderr = _capture_stderr(server)
    with stderr.file if stderr is not None else contextlib.nullcontext():
        try:
            try:
                await server.connect()
            except Exception as error:
                raise _start_failure(server, error, stderr) from None
            yield MCPConnection(server, stderr, dedicated=dedicated)
        finally:
            await _cleanup(server)
            if stderr is not None and (text := stderr.text().strip()):
                logger.debug("MCP server %r stderr:\n%s", server.name, text)


def checked_factory(factory: Callable[[], Any]) -> Callable[[], MCPServer]:
    """Check that ``factory`` builds an Agents SDK MCP server, for a clear error if not."""

    def build() -> MCPServer:
        server = factory()
        if not isinstance(server, MCPServer):
            raise TypeError(
                f"An MCP server factory returned {type(server).__name__}, not an Agents SDK MCP "
                "server: build MCPServerStdio, MCPServerSse or MCPServerStreamableHttp from "
                "agents.mcp"
            )
        return server

    return build
