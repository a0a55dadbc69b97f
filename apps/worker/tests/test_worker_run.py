"""The worker process: start-up summary, serving apps, clear failures, clean shutdown."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import io
import socket
import sys
import uuid
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import Field, SecretStr
from temporalio.client import Client, WorkflowFailureError
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

import agent_worker._run as run_module
import agents_temporal._apps as apps_module
from agent_stack.apps import NoAgentAppError
from agent_stack.connection import TemporalUnreachableError
from agent_stack.health import STUCK_EXIT_CODE
from agent_stack.settings import Settings
from agent_worker._run import run_worker
from agent_worker.cli import main
from agents_temporal import OpenAIAgentsPlugin
from agents_temporal._model_call import ModelCallInput
from agents_temporal.apps import AgentApp, AgentAppError, AppSettings, discover_apps
from agents_temporal.testing import ResponseBuilders, TestModel, TestModelProvider
from stack_testapp.spec_examples import GoodbyeAgent, HelloWorldAgent, WeatherAgent, get_weather
from tests import sandbox_probe, slots_probe, stuck_worker
from tests.deployment_versions import current_build, make_current, task_versions
from tests.sandbox_probe import SandboxProbe

REPO_ROOT = Path(__file__).resolve().parents[3]
opened: list[str] = []
handed: list[tuple[str, AppSettings]] = []


class HelloSettings(AppSettings):
    """A neutral app's own settings: one of each kind the worker must show or hide."""

    hello_greeting: str = "hello"
    hello_service_url: str = "https://hello.example"
    hello_token: SecretStr | None = None
    hello_retries: int = Field(default=3, ge=0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def weather_activities(
    settings: HelloSettings,
) -> AsyncGenerator[Sequence[Callable[..., Any]]]:
    handed.append(("activities", settings))
    opened.append("open")
    yield [get_weather]
    opened.append("closed")


def no_mcp_servers(settings: HelloSettings) -> Sequence[Any]:
    handed.append(("mcp", settings))
    return []


def offline() -> TestModelProvider:
    return TestModelProvider(TestModel(lambda: ResponseBuilders.output_message("offline hello")))


APP = AgentApp(
    name="hello",
    title="Hello",
    description="Says hello.",
    conversation_workflow=HelloWorldAgent,
    workflows=[HelloWorldAgent, WeatherAgent],
    settings=HelloSettings,
    activities=weather_activities,
    mcp_server_providers=no_mcp_servers,
    offline_model_provider=offline,
)


def hello_settings(**values: Any) -> HelloSettings:
    sources: dict[str, Any] = {**values, "_env_file": None}
    return HelloSettings(**sources)


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
    own = hello_settings(
        HELLO_SERVICE_URL="https://svc:url-secret-2d7@hello.internal/v1",
        HELLO_TOKEN="token-secret-9f1",
    )
    handed.clear()
    running = asyncio.create_task(
        run_worker(
            settings_for(address, task_queue),
            [APP],
            app_settings={"hello": own},
            stop=stop,
            out=out,
        )
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
    assert "offline demo models, each app its own (hello: TestModelProvider)" in text
    # The app's own settings are shown, secrets masked, and handed to its factories.
    assert (
        "  hello app:   HELLO_GREETING=hello HELLO_SERVICE_URL=https://svc:***@hello.internal/v1 "
        "HELLO_TOKEN=set HELLO_RETRIES=3\n"
    ) in text
    assert "url-secret-2d7" not in text and "token-secret-9f1" not in text
    assert handed == [("mcp", own), ("activities", own)]
    assert f"task queue:  {task_queue}" in text
    assert text.rstrip().endswith("agent worker stopped")
    assert opened[-2:] == ["open", "closed"]


async def test_a_versioned_worker_runs_workflows_as_its_build_with_auto_upgrade(
    temporal_env: WorkflowEnvironment, task_queue: str
) -> None:
    address = temporal_env.client.service_client.config.target_host
    deployment = f"hello-{uuid.uuid4().hex[:8]}"  # noqa: TID251 - test code
    version = WorkerDeploymentVersion(deployment, "build-7")
    stop, ready, out = asyncio.Event(), asyncio.Event(), io.StringIO()
    settings = settings_for(
        address, task_queue, WORKER_DEPLOYMENT_NAME=deployment, WORKER_BUILD_ID="build-7"
    )
    running = asyncio.create_task(
        run_worker(settings, [APP], stop=stop, ready_event=ready, out=out)
    )
    try:
        await asyncio.wait_for(ready.wait(), timeout=60)
        config = temporal_env.client.config()
        config["plugins"] = [OpenAIAgentsPlugin()]
        client = Client(**config)
        # A versioned worker gets no work until its version is current, as in a real rollout.
        await make_current(client, version)
        assert await current_build(client, deployment) == "build-7"
        workflow_id = f"versioned-{uuid.uuid4()}"  # noqa: TID251 - test code
        result = await client.execute_workflow(
            HelloWorldAgent.run, "hi", id=workflow_id, task_queue=task_queue
        )
        history = await client.get_workflow_handle(workflow_id).fetch_history()
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=30)
    assert result == "offline hello"
    tasks = task_versions(history)
    assert tasks, "the workflow completed no workflow task"
    assert {(t.build_id, t.behavior) for t in tasks} == {
        ("build-7", VersioningBehavior.AUTO_UPGRADE)
    }
    assert (
        f"versioning:  deployment {deployment!r} build 'build-7', workflows auto-upgrade; "
        "this build gets work once current: temporal worker deployment set-current-version "
        f"--deployment-name {deployment} --build-id build-7\n"
    ) in out.getvalue()


async def test_an_unversioned_worker_says_how_to_turn_versioning_on(
    temporal_env: WorkflowEnvironment, task_queue: str
) -> None:
    address = temporal_env.client.service_client.config.target_host
    stop, ready, out = asyncio.Event(), asyncio.Event(), io.StringIO()
    running = asyncio.create_task(
        run_worker(settings_for(address, task_queue), [APP], stop=stop, ready_event=ready, out=out)
    )
    await asyncio.wait_for(ready.wait(), timeout=60)
    stop.set()
    await asyncio.wait_for(running, timeout=30)
    assert (
        "versioning:  off (set WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID to turn it on)"
        in out.getvalue()
    )


@pytest.mark.parametrize("passed_through", [True, False])
async def test_apps_choose_the_modules_the_sandbox_shares(
    temporal_env: WorkflowEnvironment,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
    passed_through: bool,
) -> None:
    # The probe's own module stands for an app's library: not shared unless the app says so.
    monkeypatch.setattr(sandbox_probe, "MARK", "the worker's copy")
    app = dataclasses.replace(
        APP,
        name="probe",
        conversation_workflow=SandboxProbe,
        workflows=[SandboxProbe],
        sandbox_passthrough_modules=["tests.sandbox_probe"] if passed_through else [],
    )
    address = temporal_env.client.service_client.config.target_host
    stop = asyncio.Event()
    running = asyncio.create_task(
        run_worker(settings_for(address, task_queue), [app], stop=stop, out=io.StringIO())
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
    running = asyncio.create_task(run_worker(settings, [app], stop=stop, out=io.StringIO()))
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


@pytest.mark.parametrize("seconds", [30, None])
async def test_the_sticky_queue_timeout_is_the_workers_setting(
    temporal_env: WorkflowEnvironment,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
    seconds: int | None,
) -> None:
    # How long a task waits for the worker that has its conversation in memory before another
    # replays it: a busy worker's setting, the SDK's 10 s unless set.
    made: list[Worker] = []

    class RecordedWorker(Worker):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(run_module, "Worker", RecordedWorker)
    more = {} if seconds is None else {"WORKER_STICKY_QUEUE_TIMEOUT_SECONDS": seconds}
    settings = settings_for(
        temporal_env.client.service_client.config.target_host, task_queue, **more
    )
    stop = asyncio.Event()
    ready = asyncio.Event()
    running = asyncio.create_task(
        run_worker(settings, [APP], stop=stop, ready_event=ready, out=io.StringIO())
    )
    try:
        await asyncio.wait_for(ready.wait(), timeout=30)
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=30)
    [worker] = made
    timeout = worker.config(active_config=True).get("sticky_queue_schedule_to_start_timeout")
    assert timeout == timedelta(seconds=seconds or 10)


async def test_unreachable_temporal_says_what_to_do(task_queue: str) -> None:
    with pytest.raises(
        TemporalUnreachableError, match=r"not reachable at '127.0.0.1:1'.*uv run dev"
    ):
        await run_worker(settings_for("127.0.0.1:1", task_queue), [APP])


async def test_no_app_is_refused_before_anything_connects(task_queue: str) -> None:
    with pytest.raises(NoAgentAppError, match="the worker has nothing to run: add an agent app"):
        await run_worker(settings_for("127.0.0.1:1", task_queue), [])


def _same(app: AgentApp[Any]) -> AgentApp[Any]:
    return app


@dataclass(frozen=True)
class FakeEntryPoint:
    name: str
    value: str
    load: Callable[[], object]


def installed(monkeypatch: pytest.MonkeyPatch, *apps: AgentApp[Any]) -> None:
    """Make these the installed agent apps, whatever the environment holds."""

    def entry_points(*, group: str) -> list[FakeEntryPoint]:
        return [
            FakeEntryPoint(a.name, f"{a.name}_app:app", functools.partial(_same, a)) for a in apps
        ]

    monkeypatch.setattr(apps_module, "entry_points", entry_points)


def test_cli_refuses_to_start_without_an_agent_app(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    installed(monkeypatch)
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "worker: No agent app is installed, so the worker has nothing to run: add an agent app"
    )
    assert "durable_agents.apps" in err and 'AGENT_APPS="<package>"' in err


def test_cli_checks_every_app_setting_before_it_starts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    installed(monkeypatch, APP)
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("HELLO_RETRIES", "-1")
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:1")  # never reached
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("worker: Invalid setting (from environment variables or the .env file)")
    assert "  - HELLO_RETRIES (agent app 'hello'): Input should be greater than or equal" in err
    assert "not reachable" not in err


def test_unknown_app_lists_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    installed(monkeypatch, APP)
    with pytest.raises(AgentAppError, match=r"No agent app named 'nope'; installed: hello$"):
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
    temporal_env: WorkflowEnvironment, task_queue: str, subprocess_env: dict[str, str]
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
        env=subprocess_env,
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
        run_worker(
            settings, [APP], app_settings={"hello": hello_settings()}, stop=stop, out=io.StringIO()
        )
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


def _answering(text: str) -> Callable[[], TestModelProvider]:
    return lambda: TestModelProvider(TestModel(lambda: ResponseBuilders.output_message(text)))


async def test_each_app_is_answered_by_its_own_offline_model(
    temporal_env: WorkflowEnvironment, task_queue: str
) -> None:
    # Once, the worker used the first app's offline model for every app: a second app's
    # conversations were answered by the example's model, with no warning.
    bye = AgentApp(
        name="bye",
        title="Bye",
        description="Says goodbye.",
        conversation_workflow=GoodbyeAgent,
        workflows=[GoodbyeAgent],
        offline_model_provider=_answering("offline goodbye"),
    )
    mute = AgentApp(
        name="mute",
        title="Mute",
        description="Has no offline model.",
        conversation_workflow=WeatherAgent,
        workflows=[WeatherAgent],
    )
    hello = dataclasses.replace(APP, workflows=[HelloWorldAgent])
    address = temporal_env.client.service_client.config.target_host
    stop = asyncio.Event()
    out = io.StringIO()
    ready = asyncio.Event()
    running = asyncio.create_task(
        run_worker(
            settings_for(address, task_queue),
            [bye, hello, mute],
            app_settings={"bye": AppSettings(), "hello": hello_settings(), "mute": AppSettings()},
            stop=stop,
            ready_event=ready,
            out=out,
        )
    )
    await asyncio.wait_for(ready.wait(), timeout=60)
    config = temporal_env.client.config()
    config["plugins"] = [OpenAIAgentsPlugin()]
    client = Client(**config)

    async def ask(workflow: Any) -> str:
        return await client.execute_workflow(
            workflow,
            "hi",
            id=f"worker-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=task_queue,
        )

    try:
        assert await ask(HelloWorldAgent.run) == "offline hello"
        assert await ask(GoodbyeAgent.run) == "offline goodbye"
        with pytest.raises(WorkflowFailureError) as failed:
            await ask(WeatherAgent.run)
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=30)
    # The model activity's failure (ActivityError, as the published integration raises it)
    # carries the reason as its cause.
    assert "Agent app 'mute' has no offline model" in str(failed.value.cause.__cause__)
    assert (
        "model:       offline demo models, each app its own "
        "(bye: TestModelProvider, hello: TestModelProvider, mute: none)"
    ) in out.getvalue()


def test_agent_app_names_chooses_the_apps_to_serve(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGENT_APP_NAMES", "support,nosuch")
    assert main([]) == 2
    error = capsys.readouterr().err
    assert "No agent app named" in error and "'nosuch'" in error
