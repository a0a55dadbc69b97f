"""`worker --check` as a container health check: healthy run after run, unhealthy once stopped."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from agent_stack.settings import Settings
from agent_worker.cli import main
from tests.test_worker_run import REPO_ROOT, free_port

WORKER = Path(sys.executable).parent / "worker"
CHECK_RUNS = 20
"""Consecutive checks against a healthy worker that must all pass (the issue asked for 20)."""


def _check_env(
    subprocess_env: dict[str, str], address: str, queue: str, port: int
) -> dict[str, str]:
    env = {k: v for k, v in subprocess_env.items() if k not in Settings.env_var_names()}
    return env | {
        "TEMPORAL_ADDRESS": address,
        "TEMPORAL_TASK_QUEUE": queue,
        "WORKER_HEALTH_PORT": str(port),
    }


async def _check(env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        str(WORKER),
        "--check",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=cwd,
        env=env,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.mark.slow
@pytest.mark.timeout(600)
async def test_check_passes_every_time_then_fails_once_the_worker_stops(
    temporal_env: WorkflowEnvironment,
    task_queue: str,
    subprocess_env: dict[str, str],
    tmp_path: Path,
) -> None:
    address = temporal_env.client.service_client.config.target_host
    port = free_port()
    # The worker command's own run loop and health server, serving a small app.
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.stuck_worker",
        address,
        task_queue,
        str(port),
        "600",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=REPO_ROOT,
        env=subprocess_env,
    )
    assert worker.stdout is not None
    env = _check_env(subprocess_env, address, task_queue, port)
    results: list[tuple[int, str, str]] = []
    try:
        async with asyncio.timeout(60):
            while b"agent worker ready" not in (line := await worker.stdout.readline()):
                assert line, "the worker ended before it was ready"
        draining = asyncio.create_task(worker.stdout.read())
        # Pollers register when the worker's first long polls reach the server.
        async with asyncio.timeout(30):
            while (first := await _check(env, tmp_path))[0] != 0:
                pass
        for _ in range(CHECK_RUNS):
            results.append(await _check(env, tmp_path))
        worker.send_signal(signal.SIGTERM)
        await worker.wait()
        await draining
        stopped = await _check(env, tmp_path)
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()

    assert json.loads(first[1])["ok"] is True
    failures = [r for r in results if r[0] != 0]
    assert failures == [], failures[:3]
    assert all(json.loads(out)["worker_ready"] is True for _, out, _ in results)
    # Stopped: the worker's own endpoint no longer answers, so the very next check fails,
    # although Temporal still lists the worker's pollers.
    code, out, err = stopped
    assert code == 1, (out, err)
    report = json.loads(out)
    assert (report["ok"], report["worker_ready"]) == (False, False)
    assert report["message"].startswith("The worker on this machine is not ready")


def test_a_check_loads_neither_the_agents_sdk_nor_the_apps(
    subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    # A container's health check runs `worker --check` every few seconds: the Agents SDK, the
    # model clients and the apps are seconds of imports it does not need.
    env = {k: v for k, v in subprocess_env.items() if k not in Settings.env_var_names()}
    env["TEMPORAL_ADDRESS"] = "127.0.0.1:1"  # refused at once
    heavy = ("agents", "litellm", "openai", "support_agents", "agent_worker._models")
    probe = (
        "import sys\n"
        "from agent_worker.cli import main\n"
        "code = main(['--check'])\n"
        f"print(code, [name for name in {heavy!r} if name in sys.modules])\n"
    )
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
    *report, loaded = done.stdout.splitlines()
    assert json.loads(report[-1])["temporal_reachable"] is False
    assert loaded == "1 []", loaded


def test_a_check_with_a_bad_setting_says_which(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("WORKER_HEALTH_PORT", "not a port")
    assert main(["--check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("worker: Invalid setting (from environment variables or the .env file)")
    assert "WORKER_HEALTH_PORT" in err
