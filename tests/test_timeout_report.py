"""A test stuck past its thread-method timeout names itself and its waiting tasks, last."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

STUCK = """
import asyncio
import subprocess

import pytest


@pytest.mark.timeout(1, method="thread")
async def test_stuck():
    print("progress so far: 3 of 5")
    child = subprocess.Popen(["sleep", "9.5"])
    with open("child.pid", "w") as pid_file:
        pid_file.write(str(child.pid))

    async def wait_for_reply():
        await asyncio.Event().wait()

    await asyncio.gather(wait_for_reply(), wait_for_reply())
"""


def test_a_stuck_async_test_is_named_at_the_end_of_the_output(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_stuck=STUCK)
    root = Path(__file__).resolve().parent.parent
    result = pytester.runpytest_subprocess(
        "-p",
        "tests.timeout_report",
        "-o",
        "asyncio_mode=auto",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
        "-o",
        f"pythonpath={root}",
        timeout=60,
    )
    assert result.ret == 1
    err = result.stderr.str()
    assert "progress so far: 3 of 5" in err
    assert re.search(r"2 x wait_for_reply \(test_stuck.py:\d+\) > wait \(locks.py:\d+\)", err)
    assert " S 0.0s cpu  sleep 9.5" in err
    # ... and killed, so that no orphan holds the log open.
    stat = Path(f"/proc/{(pytester.path / 'child.pid').read_text()}/stat")
    assert not stat.exists() or stat.read_text().split(") ")[1].startswith("Z")
    last = result.stderr.lines[-1]
    assert "TIMEOUT: test_stuck.py::test_stuck was still running after 1 s" in last
