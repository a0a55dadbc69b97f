"""The workspace has the shape DESIGN.md promises: every member importable, typed, src-laid-out."""

from __future__ import annotations

import ast
import importlib
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
MEMBERS = sorted(
    p.parent for p in ROOT.glob("*/*/pyproject.toml") if p.parts[-3] in {"packages", "apps"}
)


def module_of(member: Path) -> str:
    packages = [
        p for p in (member / "src").iterdir() if p.is_dir() and not p.name.endswith(".egg-info")
    ]
    assert len(packages) == 1, f"{member} must hold exactly one package under src/"
    return packages[0].name


def test_every_design_member_exists() -> None:
    names = {m.name for m in MEMBERS}
    assert names >= {
        "agents-temporal",
        "agent-stack",
        "support-tools",
        "support-guardrails",
        "support-agents",
        "worker",
        "console",
        "devstack",
    }


@pytest.mark.parametrize("member", MEMBERS, ids=[m.name for m in MEMBERS])
def test_member_is_typed_and_importable(member: Path) -> None:
    module = module_of(member)
    assert (member / "src" / module / "py.typed").is_file()
    assert importlib.import_module(module).__doc__


@pytest.mark.parametrize("member", MEMBERS, ids=[m.name for m in MEMBERS])
def test_root_depends_on_member(member: Path) -> None:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    name = tomllib.loads((member / "pyproject.toml").read_text())["project"]["name"]
    assert any(dep.split("[")[0] == name for dep in root["project"]["dependencies"])
    assert root["tool"]["uv"]["sources"][name] == {"workspace": True}


def test_packages_never_import_apps() -> None:
    apps = {module_of(m) for m in MEMBERS if m.parent.name == "apps"}
    for member in (m for m in MEMBERS if m.parent.name == "packages"):
        for source in (member / "src").rglob("*.py"):
            text = source.read_text()
            for app in apps:
                assert f"import {app}" not in text and f"from {app}" not in text, source


def imported_modules(source: Path) -> Iterator[str]:
    """Every module a source file imports, absolute or relative, at any depth of the file."""
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def test_apps_never_import_other_apps() -> None:
    # What two apps share belongs in a package (the worker, console and dev stack share
    # agent_stack); an app that imports another drags it, and its dependencies, along.
    apps = {module_of(m): m for m in MEMBERS if m.parent.name == "apps"}
    for own, member in apps.items():
        others = set(apps) - {own}
        for source in sorted((member / "src").rglob("*.py")):
            for module in imported_modules(source):
                top = module.split(".", 1)[0]
                assert top not in others, f"{source.relative_to(ROOT)} imports {module}"


def test_the_app_import_check_sees_imports(tmp_path: Path) -> None:
    source = tmp_path / "probe.py"
    source.write_text(
        "import os, agent_worker.cli\n"
        "def late():\n"
        "    from agent_console import service\n"
        "NAME = 'agent_worker.cli'  # a string, not an import\n"
    )
    assert list(imported_modules(source)) == ["os", "agent_worker.cli", "agent_console"]
