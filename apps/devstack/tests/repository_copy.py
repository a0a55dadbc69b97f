"""A copy of this repository to try `new-app` in, and `uv` run there as a user would.

The `new-app` tests (here and the root's browser test) work in a copy, so the repository and
its environment stay as they were.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]

UV = os.environ.get("UV") or shutil.which("uv") or "uv"
"""The `uv` that runs these tests (``uv run`` names itself in ``UV``), else the one on PATH."""

# Variables of the test run that would steer a `uv` started in the copy: the environment it
# runs in (uv sets VIRTUAL_ENV for `uv run pytest`), and keys that would switch the stack from
# the offline models to a paid one.
_UNSET = (
    "VIRTUAL_ENV",
    "UV_PROJECT_ENVIRONMENT",
    "PYTHONPATH",
    "OPENAI_API_KEY",
    "MODEL",
    "CONSOLE_ACCESS_TOKEN",
    "DATABASE_URL",
)


def copy_of_repository(target: Path) -> Path:
    """The repository's files (tracked, and new ones not ignored) copied to ``target``."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def uv_environment() -> dict[str, str]:
    """``os.environ`` for `uv` in a copy: its own `.venv`, filled offline from the uv cache.

    The cache already holds every package this repository's environment was built from, so
    nothing is downloaded (``UV_OFFLINE``), and uv links files from it instead of copying.
    """
    environ = {k: v for k, v in os.environ.items() if k not in _UNSET}
    environ["UV_OFFLINE"] = "1"
    environ["UV_PYTHON_DOWNLOADS"] = "never"
    return environ


def uv(root: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``uv <args>`` in the copy at ``root``; fails with everything it printed."""
    command: Sequence[str] = [UV, *args]
    run = subprocess.run(
        command,
        cwd=root,
        env=uv_environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    assert run.returncode == 0, f"{' '.join(command)}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run
