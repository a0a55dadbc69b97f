"""A workspace app that is locked but not installed is named, with what to do."""

from __future__ import annotations

from pathlib import Path

from agent_stack.apps import uninstalled_app_packages, workspace_root

_APP = """[project]
name = "{name}"
version = "0.1.0"

[project.entry-points."durable_agents.apps"]
x = "x:app"
"""


def test_an_app_package_the_root_does_not_install_is_named(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.uv.workspace]\nmembers = ['apps/*']\n")
    for folder, name in [("ghost-agents", "ghost-agents"), ("support-agents", "support-agents")]:
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
