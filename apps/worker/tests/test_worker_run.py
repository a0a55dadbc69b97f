"""The worker process: start-up summary, serving apps, clear failures, clean shutdown."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import socket
import sys
import uuid
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from agent_worker._connect import TemporalUnreachableError
from agent_worker._run import run_worker
from agent_worker.cli import main
from agent_worker.health import STUCK_EXIT_CODE
from agent_worker.settings import Settings
from agents_temporal import OpenAIAgentsPlugin
from agents_temporal._model_call import ModelCallInput
from agents_temporal.apps import AgentApp, AgentAppError, discover_apps
from agents_temporal.testing import ResponseBuilders, TestModel, TestModelProvider
from tests import slots_probe, stuck_worker
from tests.examples.spec_workflows import HelloWorldAgent, WeatherAgent, get_weather
from tests.sandbox_probe import PROBE_ATTRIBUTE, SandboxProbe

REPO_ROOT = Path(__file__).resolve().parents[3]
opened: list[str] = []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def weather_activities(environ: Any) -> AsyncGenerator[Sequence[Callable[..., Any]]]:
    opened.append("open")
    yield [get_weather]
    opened.append("closed")


def offline() -> TestModelProvider:
    return TestModelProvider(TestModel(lambda: ResponseBuilders.output_message("offline hello")))


APP = AgentApp(
    name="hello",
    title="Hello",
    description="Says hello.",
    conversation_workflow=HelloWorldAgent,
    workflows=[HelloWorldAgent, WeatherAgent],
    activities=weather_activities,
    offline_model_provider=offline,
)


def settings_for(address: str, task_queue: str, **more: Any) -> Settings:
    return Settings(
        **dict[str, Any](
            TEMPORAL_ADDRESS=address,
            TEMPORAL_TASK_QUEUE=task_queue,
            OPENAI_API_KEY=None,
            MODEL=None,
            PAYLOAD_STORAGE="off",
            _env_file=None,
            **more,
        )
    )


async def test_serves_apps_until_stopped(
    temporal_env: WorkflowEnvironment, task_queue: str
) -> None:
    address = temporal_env.client.service_client.config.target_host
    stop = asyncio.Event()
    out = io.StringIO()
    running = asyncio.create_task(
        run_worker(settings_for(address, task_queue), [APP], environ={}, stop=stop, out=out)
    )
    config = temporal_env.client.config()
    config["plugins"] = [OpenAIAgentsPlugin()]
    client = Client(**config)
    handle_id = f"worker-{uuid.uuid4()}"  # noqa: TID251 - test code
    result = await client.execute_workflow(
        HelloWorldAgent.run, "hi", id=handle_id, task_queue=task_queue
    )
    assert result == "offline hello"
    history = await client.get_workflow_handle(handle_id).fetch_history()
    scheduled = [
        e.activity_task_scheduled_event_attributes
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
    ]
    assert scheduled, "the model call should have been an activity"
    # The model call heartbeats, so a worker that dies mid-call is noticed in 10 s, not 120 s.
    assert scheduled[0].heartbeat_timeout.ToTimedelta() == timedelta(seconds=10)
    assert scheduled[0].start_to_close_timeout.ToTimedelta() == timedelta(seconds=120)
    stop.set()
    await asyncio.wait_for(running, timeout=30)
    text = out.getvalue()
    assert "apps:        hello (2 workflows)" in text
    assert "offline demo model (from 'hello')" in text
    assert f"task queue:  {task_queue}" in text
    assert text.rstrip().endswith("agent worker stopped")
    assert opened[-2:] == ["open", "closed"]


@pytest.mark.parametrize("passed_through", [True, False])
async def test_apps_choose_the_modules_the_sandbox_shares(
    temporal_env: WorkflowEnvironment,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
    passed_through: bool,
) -> None:
    # sqlalchemy: a real dependency of the example app, not shared by default.
    import sqlalchemy

    monkeypatch.setattr(sqlalchemy, PROBE_ATTRIBUTE, "the worker's copy", raising=False)
    app = dataclasses.replace(
        APP,
        name="probe",
        conversation_workflow=SandboxProbe,
        workflows=[SandboxProbe],
        sandbox_passthrough_modules=["sqlalchemy"] if passed_through else [],
    )
    address = temporal_env.client.service_client.config.target_host
    stop = asyncio.Event()
    running = asyncio.create_task(
        run_worker(
            settings_for(address, task_queue), [app], environ={}, stop=stop, out=io.StringIO()
        )
    )
    try:
        seen = await temporal_env.client.execute_workflow(
            SandboxProbe.run,
            id=f"probe-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=task_queue,
        )
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=30)
    assert seen == ("the worker's copy" if passed_through else None)


@pytest.mark.parametrize("limit", [2, None])
async def test_workflow_tasks_at_once_are_capped(
    temporal_env: WorkflowEnvironment, task_queue: str, limit: int | None
) -> None:
    # Workflow code holds the GIL: past a few tasks at once, each gets slower, and one over
    # 2 s is failed as a deadlock. The cap keeps the rest waiting at the server instead.
    app = dataclasses.replace(
        APP,
        name="slots",
        conversation_workflow=slots_probe.SlotsProbe,
        workflows=[slots_probe.SlotsProbe],
        sandbox_passthrough_modules=["tests.slots_probe"],
    )
    more = {} if limit is None else {"WORKER_MAX_CONCURRENT_WORKFLOW_TASKS": limit}
    settings = settings_for(
        temporal_env.client.service_client.config.target_host, task_queue, **more
    )
    assert settings.worker_max_concurrent_workflow_tasks == (limit or 8)
    slots_probe.reset()
    stop = asyncio.Event()
    running = asyncio.create_task(
        run_worker(settings, [app], environ={}, stop=stop, out=io.StringIO())
    )
    try:
        handles = [
            await temporal_env.client.start_workflow(
                slots_probe.SlotsProbe.run,
                id=f"slots-{uuid.uuid4()}",  # noqa: TID251 - test code
                task_queue=task_queue,
            )
            for _ in range(6)
        ]
        await asyncio.gather(*(h.result() for h in handles))
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=30)
    if limit is None:
        assert slots_probe.peak >= 3  # the default of 8 leaves room for three to meet
    else:
        assert 1 <= slots_probe.peak <= limit


async def test_unreachable_temporal_says_what_to_do(task_queue: str) -> None:
    with pytest.raises(
        TemporalUnreachableError, match=r"not reachable at '127.0.0.1:1'.*uv run dev"
    ):
        await run_worker(settings_for("127.0.0.1:1", task_queue), [APP], environ={})


def test_unknown_app_lists_installed() -> None:
    with pytest.raises(AgentAppError, match="No agent app named 'nope'; installed:"):
        discover_apps(["nope"])


def test_cli_reports_bad_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", "/nonexistent/cert.pem")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("worker: ")
    assert "TEMPORAL_TLS_CLIENT_CERT_PATH" in err


def test_cli_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    assert "--check" in capsys.readouterr().out


@pytest.mark.timeout(120)
async def test_a_worker_with_a_stuck_workflow_fails_healthz_then_exits_for_a_fresh_one(
    temporal_env: WorkflowEnvironment, task_queue: str
) -> None:
    port = free_port()
    stuck_exit_seconds = 4
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.stuck_worker",
        temporal_env.client.service_client.config.target_host,
        task_queue,
        str(port),
        str(stuck_exit_seconds),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=REPO_ROOT,
    )
    assert process.stdout is not None
    output: list[bytes] = []
    try:
        async with asyncio.timeout(60):
            while b"agent worker ready" not in (line := await process.stdout.readline()):
                assert line, b"".join(output).decode()
                output.append(line)
        # Keep reading, so the worker never blocks on a full pipe.
        reading = asyncio.create_task(_collect(process.stdout, output))
        url = f"http://127.0.0.1:{port}/healthz"
        async with httpx.AsyncClient() as http:
            assert (await http.get(url)).status_code == 200
            await temporal_env.client.start_workflow(
                stuck_worker.Blocking.run,
                id=f"stuck-{uuid.uuid4()}",  # noqa: TID251 - test code
                task_queue=task_queue,
            )
            async with asyncio.timeout(45):
                # Polling, as a liveness probe does.
                while (answer := await http.get(url)).status_code == 200:  # noqa: ASYNC110
                    await asyncio.sleep(0.5)
        assert answer.status_code == 503, answer.text
        problem = answer.json()["problem"]
        assert problem.startswith("1 workflow(s) could not be evicted"), problem
        assert "restart this worker" in problem
        # It stays stuck, so after WORKER_STUCK_EXIT_SECONDS the worker leaves on its own, with
        # the exit code that tells a supervisor to start a fresh one.
        async with asyncio.timeout(stuck_exit_seconds + 30):
            code = await process.wait()
            await reading
        log = b"".join(output).decode()
        assert code == STUCK_EXIT_CODE, log
        assert "agent worker stuck: 1 workflow(s) could not be evicted" in log
        assert f"exiting with code {STUCK_EXIT_CODE} so that a fresh worker takes them over" in log
    except BaseException:
        print(b"".join(output).decode()[-6000:])  # the worker's log, for the failure
        raise
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def _collect(stream: asyncio.StreamReader, into: list[bytes]) -> None:
    while line := await stream.readline():
        into.append(line)


async def test_the_tool_call_cap_reaches_every_model_call(
    temporal_env: WorkflowEnvironment, task_queue: str
) -> None:
    address = temporal_env.client.service_client.config.target_host
    stop = asyncio.Event()
    settings = settings_for(address, task_queue, MODEL_MAX_TOOL_CALLS=3)
    running = asyncio.create_task(
        run_worker(settings, [APP], environ={}, stop=stop, out=io.StringIO())
    )
    config = temporal_env.client.config()
    config["plugins"] = [OpenAIAgentsPlugin()]
    client = Client(**config)
    handle = await client.start_workflow(
        HelloWorldAgent.run,
        "hi",
        id=f"worker-{uuid.uuid4()}",  # noqa: TID251 - test code
        task_queue=task_queue,
    )
    await handle.result()
    history = await handle.fetch_history()
    stop.set()
    await asyncio.wait_for(running, timeout=30)

    scheduled = next(
        e.activity_task_scheduled_event_attributes
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
    )
    [call] = client.data_converter.payload_converter.from_payloads(
        scheduled.input.payloads, [ModelCallInput]
    )
    assert isinstance(call, ModelCallInput)
    assert call.max_tool_calls == 3
