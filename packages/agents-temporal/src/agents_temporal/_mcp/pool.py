"""Activity side: connections to MCP servers shared by the activities of one worker.

A connection is shared only when the server speaks a stateless protocol revision (each
request carries everything the server needs, so one workflow's calls cannot see another's
state). A session-era server, or a call with a ``factory_argument`` (which picks a server
for that call), gets a connection of its own that closes when the activity ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

from agents.mcp import MCPServer
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from temporalio.exceptions import ApplicationError

from .common import MCP_REQUEST_ERROR
from .connection import MCPConnection, connected

logger = logging.getLogger("agents_temporal.mcp")

# How long a worker that stops waits for its shared MCP connections to close.
_CLOSE_TIMEOUT_SECONDS = 10.0

ServerFactory = Callable[[], MCPServer] | Callable[[Any], MCPServer]
"""Builds an Agents SDK MCP server; one positional parameter receives ``factory_argument``."""


def takes_argument(name: str, factory: Callable[..., Any]) -> bool:
    """Whether ``factory`` takes the workflow's ``factory_argument`` (one positional parameter).

    Raises:
        TypeError: The factory needs more than one argument, or a keyword-only one, so no call
            the worker makes could satisfy it; said when the worker is set up, not on every
            activity attempt.
    """
    try:
        parameters = list(inspect.signature(factory).parameters.values())
    except (TypeError, ValueError):  # a builtin without a signature: call it bare
        return False
    kind = inspect.Parameter
    required = [
        parameter
        for parameter in parameters
        if parameter.default is kind.empty
        and parameter.kind not in (kind.VAR_POSITIONAL, kind.VAR_KEYWORD)
    ]
    if len(required) > 1 or (required and required[0].kind is kind.KEYWORD_ONLY):
        raise TypeError(
            f"The MCP server factory for {name!r} must take no argument or one positional "
            "argument (the workflow's factory_argument, None when it gave none)"
        )
    positional = (kind.POSITIONAL_ONLY, kind.POSITIONAL_OR_KEYWORD, kind.VAR_POSITIONAL)
    return any(parameter.kind in positional for parameter in parameters)


class ServerBuilder:
    """Calls a server factory the way its signature asks, and checks what it built."""

    def __init__(self, name: str, factory: Callable[..., Any]) -> None:
        self.name = name
        self._factory = factory
        self._takes_argument = takes_argument(name, factory)

    def __call__(self, argument: Any = None) -> MCPServer:
        if self._takes_argument:
            server = self._factory(argument)
        elif argument is not None:
            raise ApplicationError(
                f"The workflow gave MCP server {self.name!r} a factory_argument, but its factory "
                "takes no argument: give the factory one positional parameter",
                type=MCP_REQUEST_ERROR,
                non_retryable=True,
            )
        else:
            server = self._factory()
        if not isinstance(server, MCPServer):
            raise TypeError(
                f"The MCP server factory for {self.name!r} returned {type(server).__name__}, "
                "not an Agents SDK MCP server: build MCPServerStdio, MCPServerSse or "
                "MCPServerStreamableHttp from agents.mcp"
            )
        return server


def _stateless(server: MCPServer) -> bool:
    session = getattr(server, "session", None)
    return getattr(session, "protocol_version", None) in MODERN_PROTOCOL_VERSIONS


class _Shared:
    """One connection, held open by a task of its own.

    The MCP client's transports use cancel scopes that must be entered and left by the same
    task, so the connection lives in ``_hold`` and activities borrow it.
    """

    def __init__(self, build: Callable[[], MCPServer]) -> None:
        self._ready: asyncio.Future[MCPConnection] = asyncio.get_running_loop().create_future()
        self._stop = asyncio.Event()
        self._holder = asyncio.create_task(self._hold(build))
        self.borrowers = 0
        self.retired = False
        self._idle: asyncio.TimerHandle | None = None

    async def _hold(self, build: Callable[[], MCPServer]) -> None:
        try:
            async with connected(build()) as connection:
                self._ready.set_result(connection)
                await self._stop.wait()
        except BaseException as error:
            if not self._ready.done():
                self._ready.set_exception(error)
            elif not isinstance(error, asyncio.CancelledError):
                logger.warning("An MCP connection closed with an error: %s", error)

    async def connection(self) -> MCPConnection:
        return await asyncio.shield(self._ready)

    def borrow(self) -> None:
        self.borrowers += 1
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None

    def when_idle(self, delay: timedelta, evict: Callable[[], None]) -> None:
        self._idle = asyncio.get_running_loop().call_later(delay.total_seconds(), evict)

    async def close(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
        self._stop.set()
        if not self._ready.done():
            self._holder.cancel()
        with contextlib.suppress(BaseException):
            await self._holder


class ConnectionPool:
    """The connections of one worker's MCP activities, shared where that is safe.

    Args:
        builders: The server builders, by the name workflows use.
        idle_timeout: How long a shared connection stays open unused; None keeps it until the
            worker stops, zero closes it after every activity.
    """

    def __init__(self, builders: Mapping[str, ServerBuilder], idle_timeout: timedelta | None):
        if idle_timeout is not None and idle_timeout < timedelta(0):
            raise ValueError(
                f"mcp_connection_idle_timeout must not be negative (got {idle_timeout})"
            )
        self._builders = dict(builders)
        self._idle_timeout = idle_timeout
        # Keyed by event loop as well: a worker's activities run on its loop, and a connection
        # cannot be used from another.
        self._shared: dict[tuple[asyncio.AbstractEventLoop, str], _Shared] = {}
        self._locks: dict[tuple[asyncio.AbstractEventLoop, str], asyncio.Lock] = {}
        self._closing: set[asyncio.Task[None]] = set()

    @contextlib.asynccontextmanager
    async def connection(self, name: str, argument: Any) -> AsyncGenerator[MCPConnection]:
        """A connection to server ``name`` for the body of one activity."""
        builder = self._builders[name]
        if argument is not None:
            async with connected(builder(argument)) as connection:
                yield connection
            return
        key = (asyncio.get_running_loop(), name)
        async with self._locks.setdefault(key, asyncio.Lock()):
            shared = self._shared.get(key)
            if shared is None:
                shared = _Shared(builder)
                try:
                    connection = await shared.connection()
                except BaseException:
                    await shared.close()
                    raise
                if _stateless(connection.server) and self._idle_timeout != timedelta(0):
                    self._shared[key] = shared
                else:
                    shared.retired = True  # this activity's alone
            shared.borrow()
        connection = await shared.connection()
        try:
            yield connection
        except ApplicationError as error:
            # A rejected request leaves the connection usable; anything else may not have.
            if error.type != MCP_REQUEST_ERROR:
                self._retire(key, shared)
            raise
        except asyncio.CancelledError:
            raise  # the client cancelled the request on the wire; the connection is fine
        except BaseException:
            self._retire(key, shared)
            raise
        finally:
            if connection.lost:
                self._retire(key, shared)
            await self._give_back(key, shared)

    def _retire(self, key: tuple[asyncio.AbstractEventLoop, str], shared: _Shared) -> None:
        shared.retired = True
        if self._shared.get(key) is shared:
            del self._shared[key]

    async def _give_back(self, key: tuple[asyncio.AbstractEventLoop, str], shared: _Shared) -> None:
        shared.borrowers -= 1
        if shared.borrowers > 0:
            return
        if shared.retired:
            await shared.close()
        elif self._idle_timeout is not None:
            shared.when_idle(self._idle_timeout, lambda: self._evict_idle(key, shared))

    def _evict_idle(self, key: tuple[asyncio.AbstractEventLoop, str], shared: _Shared) -> None:
        if shared.borrowers > 0:
            return
        self._retire(key, shared)
        task = asyncio.create_task(shared.close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def close(self) -> None:
        """Close this loop's shared connections (a worker stops)."""
        loop = asyncio.get_running_loop()
        mine = [(key, shared) for key, shared in self._shared.items() if key[0] is loop]
        for key, _ in mine:
            del self._shared[key]
            self._locks.pop(key, None)
        closing: list[Awaitable[None]] = [shared.close() for _, shared in mine]
        closing.extend(task for task in self._closing if task.get_loop() is loop)
        if not closing:
            return
        try:
            await asyncio.wait_for(asyncio.gather(*closing), _CLOSE_TIMEOUT_SECONDS)
        except TimeoutError:
            logger.warning(
                "MCP connections did not close within %s s; a server may still be running",
                _CLOSE_TIMEOUT_SECONDS,
            )
