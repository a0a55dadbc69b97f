"""Tests: a local, scripted, OpenAI-compatible HTTP server.

It speaks enough of the OpenAI API for the official `openai` client, the Agents SDK models and
LiteLLM: `POST /v1/responses` and `POST /v1/chat/completions` (each plain or streamed) and
`GET /v1/models`. Tests script its answers, faults included, and inspect what it received.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Self

from .http import ServerState, make_http_server
from .replies import (
    ErrorReply,
    HangReply,
    MalformedReply,
    RecordedRequest,
    Reply,
    Responder,
    StreamFailure,
    TextReply,
    ToolCall,
    ToolCallReply,
    count_tokens,
    split_tokens,
)

__all__ = [
    "ErrorReply",
    "HangReply",
    "MalformedReply",
    "OpenAICompatibleServer",
    "RecordedRequest",
    "Reply",
    "Responder",
    "StreamFailure",
    "TextReply",
    "ToolCall",
    "ToolCallReply",
    "count_tokens",
    "split_tokens",
]


class OpenAICompatibleServer:
    """A scripted OpenAI-compatible server on 127.0.0.1, served from a daemon thread.

    Each `POST .../responses` or `POST .../chat/completions` consumes one reply: the next one
    queued with `enqueue`, else the one `responder` returns, else a `TextReply` that echoes the
    last user message. Streamed text arrives as one delta per word (see `split_tokens`).

    Usage is counted in whitespace-separated words (see `count_tokens`): `input_tokens`
    (`prompt_tokens`) over the request's conversation text, `RecordedRequest.input_text`;
    `output_tokens` (`completion_tokens`) over the answer's text and tool-call arguments. Ids
    are numbered per server and per kind: `resp_0001`, `msg_0001`, `fc_0001`, `call_0001`,
    `chatcmpl_0001`.

    Example:
        ```python
        with OpenAICompatibleServer() as server:
            server.enqueue(
                ToolCallReply([ToolCall("get_weather", {"city": "Oslo"})]),
                TextReply("It is sunny in Oslo."),
            )
            client = AsyncOpenAI(base_url=server.base_url, api_key="test", max_retries=0)
            ...
            assert server.count("/responses") == 2
        ```
    """

    def __init__(
        self,
        *,
        port: int = 0,
        responder: Responder | None = None,
        token_delay: float = 0.0,
        models: Sequence[str] = ("test-model",),
    ) -> None:
        """Configure the server; `start()` or a `with` block runs it.

        Args:
            port: The TCP port to listen on; 0 picks a free one.
            responder: Decides the reply to a request when the script is empty.
            token_delay: Seconds to pause after each streamed text delta.
            models: The model names `GET /v1/models` lists.
        """
        self._port = port
        self._state = ServerState(responder, token_delay, models)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Bind the port and serve from a daemon thread.

        Returns:
            The server itself.

        Raises:
            RuntimeError: The server is already running.
        """
        if self._httpd is not None:
            raise RuntimeError("OpenAICompatibleServer is already running; call stop() first")
        self._state.stopping.clear()
        httpd = make_http_server(self._port, self._state)
        thread = threading.Thread(
            target=httpd.serve_forever,
            # The poll interval bounds how long `stop()` waits for the serving loop; a short
            # one keeps suites that start a server per test fast, at negligible idle cost.
            kwargs={"poll_interval": 0.01},
            name=f"openai-test-server-{httpd.server_address[1]}",
            daemon=True,
        )
        thread.start()
        self._httpd, self._thread = httpd, thread
        return self

    def stop(self) -> None:
        """Stop serving and close every connection, ending hanging and streaming answers.

        Returns promptly whatever the requests in flight are doing; calling it twice is
        harmless. Recorded requests and the remaining script are kept.
        """
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._state.stopping.set()
        httpd.shutdown()
        self._state.close_connections()
        httpd.server_close()
        thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    @property
    def port(self) -> int:
        """The port the running server listens on.

        Raises:
            RuntimeError: The server is not running.
        """
        if self._httpd is None:
            raise RuntimeError("OpenAICompatibleServer is not running; call start() first")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The base URL to give clients: `http://127.0.0.1:PORT/v1`."""
        return f"http://127.0.0.1:{self.port}/v1"

    def enqueue(self, *replies: Reply) -> None:
        """Append replies to the script; each model request consumes the first one left."""
        with self._state.changed:
            self._state.script.extend(replies)

    @property
    def pending_replies(self) -> int:
        """How many scripted replies no request has consumed yet."""
        with self._state.changed:
            return len(self._state.script)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the requests received since the last `clear()`, oldest first."""
        return self._state.matching(None)

    def count(self, path_suffix: str | None = None) -> int:
        """How many requests were received since the last `clear()`.

        Args:
            path_suffix: Count only requests whose path (without query) ends with this, e.g.
                `"/responses"` or `"/chat/completions"`; `None` counts all.

        Returns:
            The number of matching requests.
        """
        return len(self._state.matching(path_suffix))

    def clear(self) -> None:
        """Forget the recorded requests; the script is left as it is."""
        with self._state.changed:
            self._state.requests.clear()

    def wait_for_requests(
        self, n: int, timeout: float = 5.0, *, path_suffix: str | None = None
    ) -> list[RecordedRequest]:
        """Block until at least `n` matching requests have been received.

        Args:
            n: How many requests to wait for.
            timeout: The most seconds to wait.
            path_suffix: Count only requests whose path ends with this; `None` counts all.

        Returns:
            The matching requests, oldest first.

        Raises:
            TimeoutError: Fewer than `n` matching requests arrived in time.
        """
        state = self._state
        with state.changed:
            arrived = state.changed.wait_for(
                lambda: len(state.matching(path_suffix)) >= n, timeout=timeout
            )
        if not arrived:
            raise self._timeout_error(n, timeout, path_suffix)
        return state.matching(path_suffix)

    async def wait_for_requests_async(
        self,
        n: int,
        # A default timeout, as in the sync variant, makes a forgotten wait fail in seconds
        # with a clear message rather than at the pytest timeout.
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        path_suffix: str | None = None,
    ) -> list[RecordedRequest]:
        """Like `wait_for_requests`, but awaits: the event loop keeps running meanwhile.

        Raises:
            TimeoutError: Fewer than `n` matching requests arrived in time.
        """
        loop = asyncio.get_running_loop()
        changed = asyncio.Event()

        def wake() -> None:
            try:
                loop.call_soon_threadsafe(changed.set)
            except RuntimeError:
                # The waiter's loop closed without unregistering; nobody is left to wake.
                pass

        with self._state.changed:
            self._state.listeners.append(wake)
        try:
            async with asyncio.timeout(timeout):
                while len(self._state.matching(path_suffix)) < n:
                    await changed.wait()
                    changed.clear()
        except TimeoutError:
            raise self._timeout_error(n, timeout, path_suffix) from None
        finally:
            with self._state.changed:
                self._state.listeners.remove(wake)
        return self._state.matching(path_suffix)

    def _timeout_error(self, n: int, timeout: float, path_suffix: str | None) -> TimeoutError:
        where = f"paths ending {path_suffix!r}" if path_suffix else "any path"
        return TimeoutError(
            f"Expected {n} request(s) to {where} within {timeout}s but got "
            f"{len(self._state.matching(path_suffix))}: is the client's base_url server.base_url?"
        )
