"""Health of a worker deployment: a Temporal check, and an HTTP server for probes.

`check_health` answers "can this configuration reach Temporal, and is anything polling our task
queue?" for `worker --check` and the console. `HealthServer` serves Kubernetes-style liveness
(``/healthz``) and readiness (``/readyz``) probes next to a running worker, with the standard
library only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from temporalio.api.enums.v1 import TaskQueueKind, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from agent_stack._settings import Settings

STUCK_EXIT_CODE = 3
"""The ``worker`` command's exit code when it leaves because workflows are stuck on it.

A supervisor that sees it should start a fresh worker (``dev`` does).
"""

POLLER_MAX_AGE = timedelta(seconds=75)
"""How recent a worker's last poll must be for `check_health` to count it.

Temporal lists a task queue's pollers for minutes after their worker is gone, each with the
time of its last poll. A live worker polls again at least every minute (a long poll lasts up
to 60 s on Temporal's default settings; the freshest poll of an idle worker was at most 55 s
old when measured), so a worker whose last poll is older than this is counted as gone, and a
stopped worker turns a check unhealthy at most this long after its last poll.
"""

_AUTH_STATUSES = (RPCStatusCode.UNAUTHENTICATED, RPCStatusCode.PERMISSION_DENIED)
_AUTH_WORDS = ("unauthenticated", "permissiondenied", "permission denied")
_WORKFLOW_QUEUE = TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
_ACTIVITY_QUEUE = TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY


@dataclass(frozen=True)
class HealthReport:
    """What `check_health` found; `message` says what to do when `ok` is false."""

    ok: bool
    """Temporal is reachable and workers poll both the workflow and activity task queues."""
    message: str
    """One human sentence: what is wrong and how to fix it, or what is fine."""
    address: str
    """The Temporal address checked (TEMPORAL_ADDRESS)."""
    namespace: str
    """The namespace checked (TEMPORAL_NAMESPACE)."""
    task_queue: str
    """The task queue checked (TEMPORAL_TASK_QUEUE)."""
    temporal_reachable: bool = False
    """A client connected and the namespace answered."""
    workflow_pollers: int = 0
    """Workers that recently polled the workflow task queue."""
    activity_pollers: int = 0
    """Workers that recently polled the activity task queue."""
    worker_ready: bool | None = None
    """What the local worker's ``/readyz`` answered, when it was asked (None: not asked)."""
    error: str | None = None
    """The underlying error, when there was one, for logs."""

    def as_dict(self) -> dict[str, str | int | bool | None]:
        """The report as a JSON-ready dict."""
        return asdict(self)


async def check_health(
    settings: Settings,
    *,
    timeout_seconds: float = 5.0,
    local_worker: bool = False,
    poller_max_age: timedelta = POLLER_MAX_AGE,
    now: Callable[[], datetime] | None = None,
) -> HealthReport:
    """Check that Temporal is reachable and that some worker polls the configured task queue.

    Connects with the configured address, namespace, TLS and API key, then asks Temporal for the
    pollers of the task queue, both workflow and activity, counting only those that polled in
    the last ``poller_max_age`` (Temporal keeps gone workers listed for minutes). With
    ``local_worker`` and ``WORKER_HEALTH_PORT`` set, it also asks the worker on this machine
    (``http://127.0.0.1:<port>/readyz``), which notices a stopped worker at once: that is what
    a container health check wants. Never raises for an unhealthy deployment: the report's
    `message` says what is wrong and what to do.

    Args:
        settings: Where Temporal is and which task queue to look at.
        timeout_seconds: Seconds allowed for the whole check.
        local_worker: Also ask this machine's worker's readiness endpoint, when it has one.
        poller_max_age: Pollers whose last poll is older do not count.
        now: The current time (for tests); the system clock by default.

    Returns:
        The report; ``ok`` only when Temporal answers, both task queue types have recent
        pollers, and the local worker (when asked) is ready.
    """
    if local_worker and settings.worker_health_port:
        ready = await worker_ready(settings.worker_health_port, timeout_seconds)
        if not ready:
            return HealthReport(
                ok=False,
                message=f"The worker on this machine is not ready: nothing answered 200 at "
                f"http://127.0.0.1:{settings.worker_health_port}/readyz (WORKER_HEALTH_PORT); "
                "start it with `uv run worker`",
                address=settings.temporal_address,
                namespace=settings.temporal_namespace,
                task_queue=settings.temporal_task_queue,
                worker_ready=False,
            )
        report = await check_health(
            settings, timeout_seconds=timeout_seconds, poller_max_age=poller_max_age, now=now
        )
        return replace(report, worker_ready=True)
    since = (now or _utc_now)() - poller_max_age
    address, namespace = settings.temporal_address, settings.temporal_namespace
    queue = settings.temporal_task_queue
    unhealthy = HealthReport(
        ok=False, message="", address=address, namespace=namespace, task_queue=queue
    )
    try:
        options = settings.temporal_connect_options()
    except OSError as error:
        return replace(
            unhealthy,
            message="Cannot read the TLS client certificate or key: check "
            "TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH",
            error=str(error),
        )
    try:
        async with asyncio.timeout(timeout_seconds):
            limit = timedelta(seconds=timeout_seconds)
            client = await Client.connect(**options, connect_timeout=limit)
            workflow = await _pollers(client, queue, _WORKFLOW_QUEUE, limit, since)
            activity = await _pollers(client, queue, _ACTIVITY_QUEUE, limit, since)
    except RPCError as error:
        return replace(unhealthy, message=_rpc_message(error, address, namespace), error=str(error))
    except Exception as error:
        # Connection failures surface as RuntimeError, TimeoutError or OSError depending on the
        # stage; a rejected credential during the connect handshake only shows in the text.
        detail = f"{type(error).__name__}: {error}"
        if any(word in detail.lower() for word in _AUTH_WORDS):
            return replace(
                unhealthy, message=_credentials_message(address, namespace), error=detail
            )
        return replace(
            unhealthy,
            message=f"Temporal is not reachable at {address!r}: start it with `uv run dev` or "
            "set TEMPORAL_ADDRESS",
            error=detail,
        )
    reachable = replace(
        unhealthy, temporal_reachable=True, workflow_pollers=workflow, activity_pollers=activity
    )
    if workflow and activity:
        return replace(
            reachable,
            ok=True,
            message=f"Temporal is reachable at {address!r} and workers poll task queue "
            f"{queue!r} ({workflow} workflow and {activity} activity pollers)",
        )
    if not (workflow or activity):
        missing = "no worker"
    else:
        missing = "no workflow worker" if not workflow else "no activity worker"
    return replace(
        reachable,
        message=f"Temporal is reachable at {address!r}, but {missing} polls task queue "
        f"{queue!r} in namespace {namespace!r}: start one with `uv run worker` or check "
        "TEMPORAL_TASK_QUEUE",
    )


async def _pollers(
    client: Client,
    queue: str,
    kind: TaskQueueType.ValueType,
    rpc_timeout: timedelta,
    since: datetime,
) -> int:
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=queue, kind=TaskQueueKind.TASK_QUEUE_KIND_NORMAL),
        task_queue_type=kind,
    )
    response = await client.workflow_service.describe_task_queue(request, timeout=rpc_timeout)
    return sum(
        1
        for poller in response.pollers
        if poller.HasField("last_access_time") and poller.last_access_time.ToDatetime(UTC) >= since
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)


async def worker_ready(port: int, timeout_seconds: float = 5.0) -> bool:
    """Whether the worker on this machine answers 200 at ``/readyz`` on ``port``.

    False when nothing listens, the answer is not 200, or it takes longer than the timeout.
    """
    try:
        async with asyncio.timeout(timeout_seconds):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                await writer.drain()
                status_line = await reader.readline()
            finally:
                writer.close()
                with contextlib.suppress(ConnectionError):
                    await writer.wait_closed()
    except (OSError, TimeoutError):
        return False
    parts = status_line.split()
    return len(parts) >= 2 and parts[1] == b"200"


def _credentials_message(address: str, namespace: str) -> str:
    return (
        f"Temporal at {address!r} refused the credentials for namespace {namespace!r}: check "
        "TEMPORAL_API_KEY or the TLS client certificate, and TEMPORAL_NAMESPACE"
    )


def _rpc_message(error: RPCError, address: str, namespace: str) -> str:
    if error.status in _AUTH_STATUSES:
        return _credentials_message(address, namespace)
    if error.status == RPCStatusCode.NOT_FOUND:
        return (
            f"Namespace {namespace!r} does not exist at {address!r}: create it with "
            f"`temporal operator namespace create -n {namespace}` or set TEMPORAL_NAMESPACE"
        )
    return (
        f"Temporal at {address!r} answered with an error ({error.status.name}): check that "
        "TEMPORAL_ADDRESS points at a Temporal frontend"
    )


_PATHS = ("/healthz", "/readyz")
_REQUEST_TIMEOUT_SECONDS = 5.0
_MAX_HEADER_LINES = 100
_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


class HealthServer:
    """An HTTP server for liveness and readiness probes, run next to a worker.

    - ``GET /healthz``: liveness, 200 when the process's event loop answers (the server runs on
      that loop, so an answer proves it is not blocked) and ``problem()`` finds nothing; 503
      with the problem otherwise, so that the orchestrator restarts the process.
    - ``GET /readyz``: readiness, 200 when ``readiness()`` returns true, else 503.

    Both answer with a small JSON body; ``HEAD`` works too. Each connection serves one request.

    Example:
        ```python
        async with HealthServer(8080, readiness=lambda: worker_is_running):
            await worker.run()
        ```
    """

    def __init__(
        self,
        port: int,
        readiness: Callable[[], bool],
        *,
        problem: Callable[[], str | None] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        """Prepare the server; nothing listens until `start`.

        Args:
            port: TCP port to listen on (WORKER_HEALTH_PORT); 0 picks a free one, see `port`.
            readiness: Called on every ``/readyz`` request: true when the worker is running and
                connected. It runs on the event loop, so it must be quick and never block.
            problem: Called on every ``/healthz`` request: why the process needs a restart, or
                None when it does not. Quick and non-blocking, like ``readiness``.
            host: Interface to listen on; this machine only by default. In a container, give
                ``0.0.0.0`` (WORKER_HEALTH_HOST) so that the orchestrator's probes reach it.
        """
        self._requested_port = port
        self._readiness = readiness
        self._problem = problem
        self._host = host
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()

    @property
    def port(self) -> int:
        """The port the server listens on (the chosen one when created with port 0).

        Raises:
            RuntimeError: The server is not started.
        """
        if self._server is None or not self._server.sockets:
            raise RuntimeError("HealthServer is not started: call start() first")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        """Start listening.

        Raises:
            RuntimeError: The server is already started.
            OSError: The port cannot be bound (for example it is in use).
        """
        if self._server is not None:
            raise RuntimeError("HealthServer is already started")
        self._server = await asyncio.start_server(self._serve, self._host, self._requested_port)

    async def stop(self) -> None:
        """Stop listening and close open connections; a no-op when not started."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for writer in list(self._connections):
            writer.close()
        await server.wait_closed()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        try:
            async with asyncio.timeout(_REQUEST_TIMEOUT_SECONDS):
                method, path = await _read_request(reader)
            status, body = self._answer(method, path)
            await _write_response(writer, status, body, include_body=method != "HEAD")
        except (
            TimeoutError,
            ConnectionError,
            ValueError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
        ):
            # A probe that hangs up, stalls or sends garbage gets no answer; the next one will.
            pass
        finally:
            self._connections.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def _answer(self, method: str, path: str) -> tuple[int, dict[str, object]]:
        if path not in _PATHS:
            return 404, {"error": f"no such path {path!r}", "paths": list(_PATHS)}
        if method not in ("GET", "HEAD"):
            return 405, {"error": f"method {method} not allowed; use GET"}
        if path == "/healthz":
            try:
                problem = self._problem() if self._problem is not None else None
            except Exception as error:
                # A check that cannot tell is no reason to restart a worker that answers.
                return 200, {"status": "ok", "error": f"{type(error).__name__}: {error}"}
            if problem:
                return 503, {"status": "unhealthy", "problem": problem}
            return 200, {"status": "ok"}
        try:
            ready = bool(self._readiness())
        except Exception as error:
            # A failing readiness callback means "not ready", never a dead health server.
            return 503, {"status": "not ready", "error": f"{type(error).__name__}: {error}"}
        return (200, {"status": "ready"}) if ready else (503, {"status": "not ready"})


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str]:
    request_line = (await reader.readuntil(b"\n")).decode("latin-1").strip()
    parts = request_line.split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise ValueError("not an HTTP request line")
    # Headers are read and dropped: no endpoint needs them, but the client expects them consumed.
    for _ in range(_MAX_HEADER_LINES):
        if (await reader.readuntil(b"\n")).strip() == b"":
            break
    else:
        raise ValueError("too many header lines")
    method, target = parts[0].upper(), parts[1]
    return method, target.split("?", 1)[0]


async def _write_response(
    writer: asyncio.StreamWriter, status: int, body: dict[str, object], *, include_body: bool
) -> None:
    payload = json.dumps(body).encode()
    headers = [
        f"HTTP/1.1 {status} {_REASONS[status]}",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
        "Cache-Control: no-store",
        "Connection: close",
    ]
    if status == 405:
        headers.append("Allow: GET, HEAD")
    writer.write(("\r\n".join(headers) + "\r\n\r\n").encode("latin-1"))
    if include_body:
        writer.write(payload)
    await writer.drain()
