"""Every console script of the workspace ends its process through ``run_main``.

A process that loaded Temporal's core can abort while the interpreter finalizes, after its work
succeeded (docs/RELIABILITY.md, "A process that used Temporal could abort at exit"). Our
commands avoid it by entering through ``agents_temporal.process.run_main``; this checks that
each ``[project.scripts]`` entry of every member really does, so a new command cannot forget.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def _scripts() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for pyproject in sorted([ROOT / "pyproject.toml", *ROOT.glob("*/*/pyproject.toml")]):
        project = tomllib.loads(pyproject.read_text()).get("project", {})
        found += sorted(project.get("scripts", {}).items())
    return found


SCRIPTS = _scripts()


HELP_BEFORE_IMPORTS = {"worker"}
"""Commands that parse their arguments before importing Temporal, the Agents SDK or an app."""

HEAVY = ("temporalio", "agents", "openai", "litellm", "agents_temporal", "agent_stack")
"""What `worker --help` must not import: seconds of imports for a screen of text."""


def _worked(argv: Sequence[str] | None = None) -> int:
    return 0


class _Ended(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def test_the_workspace_has_its_commands() -> None:
    # Guards the test below against finding nothing (a moved pyproject, a renamed table).
    assert {"worker", "console", "dev"} <= {name for name, _ in SCRIPTS}


@pytest.mark.parametrize(("name", "target"), SCRIPTS, ids=[name for name, _ in SCRIPTS])
def test_console_script_ends_through_run_main(
    name: str, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `--help` makes argparse end the program with SystemExit(0). Through run_main that becomes
    # a call of exit_without_finalizing(0); a script that skipped run_main lets SystemExit out.
    def ended(code: int = 0) -> None:
        raise _Ended(code)

    monkeypatch.setattr("agents_temporal._process.exit_without_finalizing", ended)
    monkeypatch.setattr(sys, "argv", [name, "--help"])
    module_name, _, attribute = target.partition(":")
    if name in HELP_BEFORE_IMPORTS:
        # Its `--help` ends before the stack is imported (see below): run it with no
        # arguments, its work replaced by a stand-in, to see how it ends.
        monkeypatch.setattr(sys, "argv", [name])
        monkeypatch.setattr(f"{module_name}.main", _worked)
    entry = getattr(importlib.import_module(module_name), attribute)
    with pytest.raises(_Ended) as raised:
        entry()
    assert raised.value.code == 0


@pytest.mark.parametrize("name", sorted(HELP_BEFORE_IMPORTS))
def test_help_does_not_import_the_stack(name: str) -> None:
    module_name, _, attribute = dict(SCRIPTS)[name].partition(":")
    probe = (
        "import sys\n"
        f"from {module_name} import {attribute}\n"
        f"sys.argv = [{name!r}, '--help']\n"
        "try:\n"
        f"    {attribute}()\n"
        "except SystemExit as ended:\n"
        "    assert ended.code == 0, ended.code\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout
    assert done.stdout.splitlines()[-1] == "[]", done.stdout.splitlines()[-1]
