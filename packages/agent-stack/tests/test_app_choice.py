"""Which agent apps a process runs: AGENT_APP_NAMES, and workspace apps left uninstalled."""

from __future__ import annotations

from pathlib import Path

from agent_stack.apps import uninstalled_app_packages, workspace_root
from agent_stack.settings import Settings

_APP = """[project]
name = "{name}"
version = "0.1.0"

[project.entry-points."durable_agents.apps"]
x = "x:app"
"""


def test_an_app_package_the_root_does_not_install_is_named(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.uv.workspace]\nmembers = ['apps/*']\n")
    for folder, name in [("ghost-agents", "ghost-agents"), ("worker", "agent-worker")]:
        (tmp_path / "apps" / folder).mkdir(parents=True)
        (tmp_path / "apps" / folder / "pyproject.toml").write_text(_APP.format(name=name))
    (tmp_path / "apps" / "tool").mkdir()
    (tmp_path / "apps" / "tool" / "pyproject.toml").write_text('[project]\nname = "nowhere"\n')

    root = workspace_root(tmp_path / "apps" / "ghost-agents")
    assert root == tmp_path
    [problem] = uninstalled_app_packages(root)
    assert problem.startswith("apps/ghost-agents declares an agent app but is not installed")
    assert 'add "ghost-agents" to the root pyproject.toml' in problem
    assert "uv sync --all-packages" in problem


def test_outside_a_workspace_nothing_is_reported(tmp_path: Path) -> None:
    assert workspace_root(tmp_path) is None
    assert uninstalled_app_packages(None) == []


def test_agent_app_names_is_a_comma_separated_choice() -> None:
    def names(value: str | None) -> list[str] | None:
        return Settings(AGENT_APP_NAMES=value, _env_file=None).app_names()  # pyright: ignore[reportCallIssue]

    assert names(None) is None
    assert names(" , ") is None
    assert names("support, travel_desk") == ["support", "travel_desk"]
