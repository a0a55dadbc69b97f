"""Tests: the HTTP side of the local OpenAI-compatible server (state, routing, framing)."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from .payloads import (
    Answer,
    IdFactory,
    SseEvent,
    chat_body,
    chat_chunks,
    make_answer,
    responses_body,
    responses_events,
)
from .replies import (
    ErrorReply,
    HangReply,
    MalformedReply,
    RecordedRequest,
    Reply,
    Responder,
    StreamFailure,
    TextReply,
    ToolCallReply,
)

__all__ = ["ServerState", "make_http_server"]


class ServerState:
    """What the server's handler threads and its test-facing API share, behind one lock."""

    def __init__(
        self, responder: Responder | None, token_delay: float, models: Sequence[str]
    ) -> None:
        self.responder = responder
        self.token_delay = token_delay
        self.models = tuple(models)
        self.ids = IdFactory()
        self.script: deque[Reply] = deque()
        self.requests: list[RecordedRequest] = []
        self.changed = threading.Condition()
        """Guards `script`, `requests` and `connections`; notified on each new request."""
        self.connections: set[socket.socket] = set()
        self.listeners: list[Callable[[], None]] = []
        """Called, under the lock, on each new request; the async waiters' wake-ups."""
        self.stopping = threading.Event()
        """Set while the server stops, to end hanging and delayed answers at once."""

    def next_reply(self, request: RecordedRequest) -> Reply:
        """The scripted reply, else the responder's, else an echo of the last user message."""
        with self.changed:
            scripted = self.script.popleft() if self.script else None
        if scripted is not None:
            return scripted
        if self.responder is None:
            return TextReply(request.last_user_text or "ok")
        try:
            return self.responder(request)
        except Exception as exc:
            # Answering with the error keeps the test's failure readable; raising here would
            # only drop the connection and leave the client with a bare connection error.
            message = f"The test server's responder raised {exc!r}"
            return ErrorReply(500, body=_error(message, kind="server_error"))

    def record(self, request: RecordedRequest) -> None:
        """Record a request and wake everyone waiting for requests."""
        with self.changed:
            self.requests.append(request)
            self.changed.notify_all()
            for listener in self.listeners:
                listener()

    def matching(self, path_suffix: str | None) -> list[RecordedRequest]:
        """The recorded requests whose path ends with `path_suffix` (all for `None`)."""
        with self.changed:
            if path_suffix is None:
                return list(self.requests)
            return [r for r in self.requests if _route(r.path).endswith(path_suffix)]

    def close_connections(self) -> None:
        """Shut down every open client connection, waking the threads blocked on them."""
        with self.changed:
            connections = list(self.connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def make_http_server(port: int, state: ServerState) -> ThreadingHTTPServer:
    """Bind a threading HTTP server on 127.0.0.1 that answers from `state`."""
    return _HTTPServer(("127.0.0.1", port), state)


class _Dropped(Exception):
    """The handler must close the connection without finishing its response."""


class _HTTPServer(ThreadingHTTPServer):
    # Handler threads must never keep the test process alive or delay `server_close()`.
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: ServerState) -> None:
        self.state = state
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, a DNS lookup that can stall for
        # seconds on a badly configured machine; the server name is never used here.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or disconnect mid-answer are what fault tests do on purpose;
        # a traceback on stderr for each would only be noise.
        pass


def _route(path: str) -> str:
    return path.split("?")[0].rstrip("/")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    @property
    def state(self) -> ServerState:
        return cast(_HTTPServer, self.server).state

    def setup(self) -> None:
        super().setup()
        with self.state.changed:
            self.state.connections.add(self.connection)

    def finish(self) -> None:
        with self.state.changed:
            self.state.connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        # Tests inspect the recorded requests; access logs on stderr would only be noise.
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        body = _decode(self.rfile.read(int(self.headers.get("content-length") or 0)))
        request = RecordedRequest(
            path=self.path,
            method=method,
            headers={name.lower(): value for name, value in self.headers.items()},
            body_json=body,
            received_at=time.monotonic(),
            streamed=bool(body and body.get("stream")),
        )
        self.state.record(request)
        route = _route(self.path)
        try:
            if method == "GET" and route.endswith("/models"):
                self._send_json(200, _models_body(self.state.models))
            elif method == "POST" and route.endswith(("/responses", "/chat/completions")):
                self._answer(request, self.state.next_reply(request))
            else:
                self._send_json(404, _error(f"No route {method} {route!r} on the test server."))
        except (_Dropped, OSError):
            # OSError covers clients that hung up first (reset, broken pipe) and `stop()`.
            self.close_connection = True

    def _answer(self, request: RecordedRequest, reply: Reply) -> None:
        match reply:
            case ErrorReply():
                body = reply.error_body()
                if isinstance(body, str):
                    self._send(reply.status, body.encode(), "text/plain", reply.headers)
                else:
                    self._send_json(reply.status, body, reply.headers)
            case MalformedReply() if request.streamed:
                self._stream(iter([SseEvent(reply.body)]), drop_after=None)
            case MalformedReply():
                self._send(200, reply.body.encode(), reply.content_type)
            case HangReply():
                self.state.stopping.wait(reply.seconds)
                raise _Dropped
            case StreamFailure() if not request.streamed:
                raise _Dropped
            case TextReply() | ToolCallReply() | StreamFailure():
                answer = make_answer(reply, request, self.state.ids)
                drop_after = reply.after_tokens if isinstance(reply, StreamFailure) else None
                self._send_answer(request, answer, drop_after)

    def _send_answer(
        self, request: RecordedRequest, answer: Answer, drop_after: int | None
    ) -> None:
        body = request.body_json or {}
        model = str(body.get("model") or "test-model")
        if _route(request.path).endswith("/responses"):
            response_id = self.state.ids.next("resp")
            if not request.streamed:
                self._send_json(200, responses_body(answer, body, response_id))
                return
            events = responses_events(answer, body, response_id)
        else:
            completion_id = self.state.ids.next("chatcmpl")
            if not request.streamed:
                self._send_json(200, chat_body(answer, model, completion_id))
                return
            options = body.get("stream_options")
            include_usage = isinstance(options, dict) and bool(
                cast(dict[str, Any], options).get("include_usage")
            )
            events = chat_chunks(answer, model, completion_id, include_usage=include_usage)
        self._stream(events, drop_after)

    def _stream(self, events: Iterator[SseEvent], drop_after: int | None) -> None:
        # Chunked framing makes a dropped connection visible to the client as an incomplete
        # body; with a close-delimited body a drop would look like a normal end of stream.
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        deltas = 0
        for event in events:
            if drop_after is not None and _drop_before(event, deltas, drop_after):
                raise _Dropped
            self._write_chunk(event.encode())
            if event.is_text_delta:
                deltas += 1
                delay = self.state.token_delay
                if delay and self.state.stopping.wait(delay):
                    raise _Dropped
        if drop_after is not None:
            # An empty text has no delta to drop at; leaving out the last chunk still fails.
            raise _Dropped
        self._write_chunk(b"")

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _send_json(
        self, status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        self._send(status, json.dumps(body).encode(), "application/json", headers)

    def _send(
        self,
        status: int,
        payload: bytes,
        content_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        extra = {name.lower(): value for name, value in (headers or {}).items()}
        self.send_response(status)
        self.send_header("content-type", extra.pop("content-type", content_type))
        self.send_header("content-length", str(len(payload)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()


def _drop_before(event: SseEvent, deltas: int, drop_after: int) -> bool:
    """Whether a failing stream drops before sending `event`.

    It drops at the first text delta past the limit or, when the text is shorter than the
    limit, at the first event after the text; never in the preamble before the text.
    """
    if event.is_text_delta:
        return deltas >= drop_after
    return deltas > 0


def _decode(raw: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        return None
    return cast(dict[str, Any], body) if isinstance(body, dict) else None


def _error(message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    error = {"message": message, "type": kind, "param": None, "code": None}
    return {"error": error}


def _models_body(models: Sequence[str]) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [
            {"id": model, "object": "model", "created": 0, "owned_by": "agents-temporal"}
            for model in models
        ],
    }
