"""Programs that used Temporal end with their own exit code, never an abort in finalization."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from agents_temporal.process import FINALIZE_ENV, exit_without_finalizing, run_main

PROBE = Path(__file__).with_name("exit_probe.py")
RUNS = 20


@pytest.mark.slow
@pytest.mark.timeout(RUNS * 30)
def test_a_program_using_temporal_exits_0_every_time(
    temporal_env: WorkflowEnvironment, subprocess_env: dict[str, str]
) -> None:
    # Without run_main this program aborted in 1 run of 15 to 1 of 6 on this machine (exit
    # 134, "PyGILState_Release: thread state ... must be current when releasing").
    env = {k: v for k, v in subprocess_env.items() if k != FINALIZE_ENV}
    env["TEMPORAL_ADDRESS"] = temporal_env.client.service_client.config.target_host

    def run_once(_: int) -> subprocess.CompletedProcess[str]:
        # -P keeps the working directory off sys.path: the probe's folder holds test packages
        # named like the libraries they test (tests/mcp), which would hide those libraries.
        return subprocess.run(
            [sys.executable, "-P", "-m", "tests.exit_probe"],
            cwd=PROBE.parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    # A few at a time: each run spends most of its time importing the Agents SDK.
    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = list(pool.map(run_once, range(RUNS)))
    assert [run.stderr[-500:] for run in runs if run.returncode != 0] == []
    assert [run.stdout.strip() for run in runs] == ["done"] * RUNS


def test_run_main_keeps_exit_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    ended: list[int] = []

    def record(code: int) -> None:
        ended.append(code)
        raise SystemExit  # stands in for os._exit, so the test process lives on

    monkeypatch.setattr("agents_temporal._process.exit_without_finalizing", record)

    def returns_3() -> int:
        return 3

    def exits_4() -> int:
        sys.exit(4)

    def interrupted() -> int:
        raise KeyboardInterrupt

    def broken() -> int:
        raise ValueError("boom")

    for main in (returns_3, exits_4, interrupted, broken, lambda: None):
        with pytest.raises(SystemExit):
            run_main(main)
    assert ended == [3, 4, 130, 1, 0]


def test_the_switch_finalizes_as_usual(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FINALIZE_ENV, "1")
    with pytest.raises(SystemExit) as done:
        exit_without_finalizing(5)
    assert done.value.code == 5
