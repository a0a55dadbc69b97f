"""`new-app`: a new agent app from the skeleton, whose own test passes in a copy of the repo."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from agents_temporal.testing import EXISTING_SERVER_ENV
from devstack._scaffold import ScaffoldError, check_name, create_app
from devstack.cli import new_app_main
from tests.repository_copy import copy_of_repository


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    (root / "apps" / "support-agents").mkdir(parents=True)
    (root / "apps" / "support-agents" / "pyproject.toml").write_text("[project]\n")
    return root


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Travel", "is not a usable app name"),
        ("travel-desk", "is not a usable app name"),
        ("2travel", "is not a usable app name"),
        ("travel__desk", "is not a usable app name"),
        ("class", "is not a usable app name"),
        ("worker", "is reserved"),
        ("support", "apps/support-agents already exists"),
        ("installed", "An installed agent app is already named 'installed'"),
    ],
)
def test_a_bad_or_taken_name_is_refused(workspace: Path, name: str, message: str) -> None:
    with pytest.raises(ScaffoldError, match=message):
        check_name(name, workspace, installed_apps=frozenset({"installed"}))


def test_nothing_is_written_when_the_root_project_has_an_unknown_shape(workspace: Path) -> None:
    (workspace / "pyproject.toml").write_text('[project]\nname = "x"\n')
    with pytest.raises(ScaffoldError, match=r"no dependencies list under \[project\]"):
        create_app("travel", workspace, sync=False, say=lambda _: None)
    assert not (workspace / "apps" / "travel-agents").exists()


def test_outside_a_workspace_it_says_where_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert new_app_main(["travel"]) == 2
    assert "run new-app from the repository" in capsys.readouterr().err


@pytest.mark.slow
def test_the_generated_app_passes_its_own_test(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    temporal_env: WorkflowEnvironment,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = copy_of_repository(tmp_path / "repo")
    monkeypatch.chdir(root / "apps")  # the command finds the workspace root above it
    # `uv sync` is left out here (it would build a second environment): the generated package
    # goes on PYTHONPATH of this environment instead, which has every dependency it needs.
    assert new_app_main(["demo_desk", "--no-sync"]) == 0
    printed = capsys.readouterr().out
    assert "uv run pytest apps/demo-desk-agents" in printed

    project = tomllib.loads((root / "pyproject.toml").read_text())
    assert "demo-desk-agents" in project["project"]["dependencies"]
    assert project["tool"]["uv"]["sources"]["demo-desk-agents"] == {"workspace": True}
    assert "demo_desk_agents" in project["tool"]["ruff"]["lint"]["isort"]["known-first-party"]
    app_project = tomllib.loads((root / "apps/demo-desk-agents/pyproject.toml").read_text())
    entry = app_project["project"]["entry-points"]["durable_agents.apps"]
    assert entry == {"demo_desk": "demo_desk_agents:app"}
    assert "DEMO_DESK_SEARCH_RESULTS=3" in (root / "infra/.env.example").read_text()

    bin_dir = Path(sys.executable).parent
    lint = subprocess.run(
        [str(bin_dir / "ruff"), "check", "apps/demo-desk-agents"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    env = {
        **os.environ,
        "PYTHONPATH": str(root / "apps/demo-desk-agents/src"),
        EXISTING_SERVER_ENV: temporal_env.client.service_client.config.target_host,
    }
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "apps/demo-desk-agents"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=110,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "1 passed" in run.stdout
