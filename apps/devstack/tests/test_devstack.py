"""`dev`: preflight checks, the commands it runs, and the whole stack up, healthy and down."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

import agents_temporal._apps as apps_module
import devstack
import devstack._stack as stack_module
from agent_stack.health import STUCK_EXIT_CODE, check_health
from agent_stack.settings import Settings
from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.apps import ENTRY_POINT_GROUP
from agents_temporal.client import ConversationHandle
from devstack import StackError, plan_stack
from devstack._process import Child
from devstack._stack import child_environment, preflight, run_stack, supervise, temporal_command
from devstack.cli import main
from stack_testapp import REFERENCE
from tests.dev_process import DevProcess, alive, free_port

KEYS = "k1:" + base64.b64encode(bytes(range(32))).decode()


def settings(**values: Any) -> Settings:
    return Settings(**dict[str, Any](_env_file=None, **values))


@pytest.fixture
def listener() -> Iterator[int]:
    """A port something that is not Temporal listens on."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_plan_and_commands_keep_data_and_point_children_at_the_stack(tmp_path: Path) -> None:
    config = settings(
        TEMPORAL_ADDRESS="localhost:7300",
        TEMPORAL_UI_URL="http://localhost:8300",
        CONSOLE_PORT=8600,
    )
    plan = plan_stack(config, tmp_path / ".data")
    command = " ".join(temporal_command(plan))
    assert f"--db-filename {tmp_path / '.data' / 'temporal.db'}" in command
    assert "--ip 127.0.0.1 --port 7300 --ui-port 8300" in command
    assert "--headless" not in command
    env = child_environment(config, plan, {"PATH": "/bin"})
    assert env["TEMPORAL_ADDRESS"] == "localhost:7300" and env["CONSOLE_PORT"] == "8600"
    assert env["PAYLOAD_STORAGE_DIR"] == str(tmp_path / ".data" / "payloads")
    chosen = settings(PAYLOAD_STORAGE_DIR="/srv/payloads")
    assert "PAYLOAD_STORAGE_DIR" not in child_environment(chosen, plan_stack(chosen, tmp_path), {})
    assert plan.codec_url is None and "--ui-codec-endpoint" not in command


def test_encrypted_payloads_get_a_codec_server_for_the_web_ui(tmp_path: Path) -> None:
    config = settings(PAYLOAD_ENCRYPTION_KEYS=KEYS, CODEC_SERVER_PORT=8700)
    plan = plan_stack(config, tmp_path)
    assert plan.codec_url == "http://127.0.0.1:8700"
    assert "--ui-codec-endpoint http://127.0.0.1:8700" in " ".join(temporal_command(plan))


@pytest.mark.parametrize(
    ("variable", "what"),
    [
        ("CONSOLE_PORT", "the console"),
        ("TEMPORAL_ADDRESS", "Temporal's gRPC port"),
        ("CODEC_SERVER_PORT", "the codec server"),
    ],
)
def test_a_taken_port_is_a_clear_error(
    variable: str,
    what: str,
    listener: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("TEMPORAL_UI_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("CONSOLE_PORT", str(free_port()))
    monkeypatch.setenv("PAYLOAD_ENCRYPTION_KEYS", KEYS)
    monkeypatch.setenv("CODEC_SERVER_PORT", str(free_port()))
    value = f"127.0.0.1:{listener}" if variable == "TEMPORAL_ADDRESS" else str(listener)
    monkeypatch.setenv(variable, value)
    assert main([]) == 2
    message = capsys.readouterr().err
    assert f"Port {listener} ({what}) is already in use" in message
    assert f"set {variable} to a free port" in message
    assert not (tmp_path / ".data").exists()


async def test_a_running_temporal_is_reused_only_when_asked(
    temporal_env: WorkflowEnvironment,
) -> None:
    # Once, `dev` silently joined another stack's server on 7233, its conversations and task
    # queue. Now it refuses, unless told to reuse it.
    address = temporal_env.client.service_client.config.target_host
    config = settings(TEMPORAL_ADDRESS=address, CONSOLE_PORT=free_port())
    with pytest.raises(StackError, match=r"did not start is already running at .*--reuse-temporal"):
        await preflight(plan_stack(config, Path(".data")))
    assert await preflight(plan_stack(config, Path(".data")), reuse_temporal=True) is True


def test_apps_must_be_installed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--apps", "support,nosuch"]) == 2
    error = capsys.readouterr().err
    # (Whether 'support' is installed depends on the example being there.)
    assert "no installed agent app named" in error and "'nosuch'" in error
    assert "support" in error


async def test_an_unreachable_temporal_elsewhere_is_a_clear_error() -> None:
    # 127.0.0.2 is this machine, but not an address `dev` would start a server for.
    config = settings(TEMPORAL_ADDRESS=f"127.0.0.2:{free_port()}")
    with pytest.raises(StackError, match="only starts a server on this machine"):
        await preflight(plan_stack(config, Path(".data")))


def fetch(url: str, data: bytes | None = None) -> str:
    with urllib.request.urlopen(url, data=data, timeout=10) as response:
        return response.read().decode()


def console_healthy(dev: DevProcess) -> bool:
    with urllib.request.urlopen(f"{dev.console_url}_stcore/health", timeout=10) as response:
        return response.status == 200


async def start_conversation(address: str) -> str:
    client = await Client.connect(address, plugins=[OpenAIAgentsPlugin()])
    handle = await ConversationHandle.start(
        client, "DeskConversation", id="smoke-conversation", task_queue="durable-agents"
    )
    return handle.workflow_id


async def conversation_exists(address: str) -> bool:
    client = await Client.connect(address)
    description = await client.get_workflow_handle("smoke-conversation").describe()
    return description.id == "smoke-conversation"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_dev_comes_up_healthy_keeps_data_and_stops_cleanly(tmp_path: Path) -> None:
    dev = DevProcess.start(tmp_path, AGENT_APP_OBJECTS=REFERENCE)
    try:
        dev.wait_ready()
        children = dev.descendants()
        assert len(children) >= 3, dev.text()
        config = settings(TEMPORAL_ADDRESS=dev.temporal_address)
        report = asyncio.run(check_health(config))
        assert report.ok and report.workflow_pollers and report.activity_pollers, report.message
        assert console_healthy(dev)
        asyncio.run(start_conversation(dev.temporal_address))
    except BaseException:
        dev.kill()
        raise
    assert dev.stop(signal.SIGTERM) == 0, dev.text()
    assert "dev: stopped" in dev.text()
    assert not {pid for pid in children if alive(pid)}
    assert (tmp_path / ".data" / "temporal.db").is_file()

    # Again, now with encrypted payloads: a codec server starts and the Web UI is pointed at it.
    codec_port = free_port()
    again = DevProcess.start(
        tmp_path,
        ports=dev.ports,
        PAYLOAD_ENCRYPTION_KEYS=KEYS,
        CODEC_SERVER_PORT=str(codec_port),
        AGENT_APP_OBJECTS=REFERENCE,
    )
    try:
        again.wait_ready()
        children = again.descendants()
        assert asyncio.run(conversation_exists(again.temporal_address))
        assert f"codec server     http://127.0.0.1:{codec_port}" in again.text()
        ui_settings = json.loads(fetch(f"http://127.0.0.1:{again.ports[1]}/api/v1/settings"))
        assert ui_settings["Codec"]["Endpoint"] == f"http://127.0.0.1:{codec_port}"
        empty = fetch(f"http://127.0.0.1:{codec_port}/decode", b'{"payloads": []}')
        assert json.loads(empty) == {}
    except BaseException:
        again.kill()
        raise
    assert again.stop(signal.SIGINT) == 0, again.text()
    assert not {pid for pid in children if alive(pid)}


async def test_a_worker_that_leaves_stuck_is_replaced_and_other_exits_stop_the_stack(
    tmp_path: Path,
) -> None:
    # A stand-in worker: it leaves stuck once, then runs until stopped.
    marker = tmp_path / "left-once"
    script = f"test -e {marker} && exec sleep 60; touch {marker}; exit {STUCK_EXIT_CODE}"
    out = io.StringIO()
    worker = Child("worker", ["sh", "-c", script], {}, out=out)
    await worker.start()
    stop = asyncio.Event()
    serving = asyncio.create_task(supervise([worker], stop, print_to(out)))
    async with asyncio.timeout(30):
        while "starting a fresh one" not in out.getvalue() or worker.returncode is not None:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    assert not serving.done(), out.getvalue()
    stop.set()
    assert await serving == 0
    await worker.stop(5, print_to(out))
    # Temporal is not restarted: its exit stops the stack.
    temporal = Child("temporal", ["sh", "-c", "exit 1"], {}, out=out)
    await temporal.start()
    assert await supervise([temporal], asyncio.Event(), print_to(out)) == 1
    assert "dev: temporal exited with code 1; stopping the stack" in out.getvalue()


async def test_a_part_that_dies_is_restarted_with_back_off(tmp_path: Path) -> None:
    # A stand-in console that crashes twice, then runs until stopped.
    count = tmp_path / "starts"
    script = f"echo x >> {count}; test $(wc -l < {count}) -ge 3 && exec sleep 60; kill -9 $$"
    out = io.StringIO()
    console = Child("console", ["sh", "-c", script], {}, out=out)
    await console.start()
    stop = asyncio.Event()
    serving = asyncio.create_task(supervise([console], stop, print_to(out), first_delay=0.01))
    async with asyncio.timeout(30):
        while out.getvalue().count("dev: console restarted") < 2:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    assert not serving.done(), out.getvalue()
    assert console.returncode is None
    lines = out.getvalue().splitlines()
    # Each quick crash doubles the wait before the next start.
    assert "dev: console exited with code -9; restarting it in 0.01 s (restart 1)" in lines
    assert "dev: console exited with code -9; restarting it in 0.02 s (restart 2)" in lines
    # Ctrl-C (the stop event) still ends the stack, with the restarted console running.
    stop.set()
    assert await serving == 0
    await console.stop(5, print_to(out))
    assert console.returncode is not None


def _worker_pid(dev: DevProcess) -> int:
    for pid in dev.descendants():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if len(command) > 1 and command[1].endswith(b"/worker"):
            return pid
    raise AssertionError(f"no worker among dev's processes:\n{dev.text()}")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_dev_restarts_a_worker_that_dies_and_ctrl_c_stops_all(tmp_path: Path) -> None:
    dev = DevProcess.start(tmp_path, AGENT_APP_OBJECTS=REFERENCE)
    try:
        dev.wait_ready()
        killed = _worker_pid(dev)
        os.kill(killed, signal.SIGKILL)
        # Observable: dev says so, and a new worker process polls the task queue.
        deadline = time.monotonic() + 180
        while "dev: worker restarted" not in dev.text():
            assert time.monotonic() < deadline, dev.text()
            time.sleep(0.2)
        replacement = _worker_pid(dev)
        # The new worker is up again: it says so, as the first one did.
        while dev.text().count("agent worker ready") < 2:
            assert time.monotonic() < deadline, dev.text()
            time.sleep(0.2)
        children = dev.descendants()
    except BaseException:
        dev.kill()
        raise
    assert replacement != killed
    assert "dev: worker exited with code -9; restarting it in 1 s (restart 1)" in dev.text()
    assert dev.stop(signal.SIGINT) == 0, dev.text()
    assert "dev: stopped" in dev.text()
    assert not {pid for pid in children if alive(pid)}


@pytest.mark.timeout(180)
async def test_without_an_agent_app_dev_runs_the_rest_and_says_how_to_add_one(
    temporal_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_entry_points(*, group: str) -> list[object]:
        return []

    monkeypatch.setattr(apps_module, "entry_points", no_entry_points)
    monkeypatch.setattr(stack_module, "entry_points", no_entry_points)
    address = temporal_env.client.service_client.config.target_host
    config = settings(TEMPORAL_ADDRESS=address, CONSOLE_PORT=free_port())
    out = io.StringIO()
    stop = asyncio.Event()
    running = asyncio.create_task(
        run_stack(config, data_dir=tmp_path, out=out, stop=stop, reuse_temporal=True)
    )
    try:
        async with asyncio.timeout(120):
            while "dev: ready" not in out.getvalue():
                assert not running.done(), out.getvalue()
                await asyncio.sleep(0.2)
    finally:
        stop.set()
        code = await running
    text = out.getvalue()
    assert code == 0, text
    assert "dev: No agent app is installed, so no worker is started: add an agent app" in text
    assert "AGENT_APP_OBJECTS" in text
    assert "  worker           not started: no agent app (see above)" in text


def print_to(out: io.StringIO) -> Callable[[str], None]:
    return lambda line: print(line, file=out)


def test_public_api_is_sorted_and_complete() -> None:
    public = {n for n in vars(devstack) if not n.startswith("_") and n != "annotations"}
    assert devstack.__all__ == sorted(devstack.__all__)
    assert set(devstack.__all__) == public - {"cli"}


def test_dev_itself_loads_neither_the_agents_sdk_nor_an_app(
    subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    # The worker and the console are child processes: the dev process imports neither the
    # Agents SDK nor an app, which would be seconds before Temporal and the worker start.
    probe = (
        "import sys\n"
        "import devstack.cli\n"
        "from agent_stack.settings import load_settings\n"
        "from devstack._stack import _has_apps\n"
        "found = _has_apps(load_settings())\n"
        "print(found, [m for m in ('agents', 'openai', 'litellm', 'mcp') if m in sys.modules])\n"
    )
    env = {k: v for k, v in subprocess_env.items() if k not in Settings.env_var_names()}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,  # no .env
        env=env,
    )
    assert done.returncode == 0, done.stderr
    installed = bool(entry_points(group=ENTRY_POINT_GROUP))
    assert done.stdout.strip() == f"{installed} []"
