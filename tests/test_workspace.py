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
    # The generic members only: the example domain (support-*) is the template's to delete.
    names = {m.name for m in MEMBERS}
    assert names >= {
        "agents-temporal",
        "agent-stack",
        "stack-testapp",
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


def _tests_folders() -> dict[str, Path]:
    """Each member's tests/ folder (and the root's, as "."), by the member's path."""
    folders = {".": ROOT / "tests"}
    for member in MEMBERS:
        if (member / "tests").is_dir():
            folders[member.relative_to(ROOT).as_posix()] = member / "tests"
    return folders


def _top_level_names(folder: Path) -> set[str]:
    """The names a tests/ folder would add to the `tests` package: `tests.<name>`."""
    names = {p.stem for p in folder.glob("*.py")}
    names |= {p.name for p in folder.iterdir() if p.is_dir() and any(p.rglob("*.py"))}
    return names


def _on_pythonpath() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]
    pythonpath: list[str] = config["pytest"]["ini_options"]["pythonpath"]
    assert config["pytest"]["ini_options"]["consider_namespace_packages"] is True
    assert config["pyright"]["extraPaths"] == pythonpath, "pyright's extraPaths = pythonpath"
    assert config["ruff"]["namespace-packages"] == [
        "tests" if root == "." else f"{root}/tests" for root in pythonpath
    ], "ruff's namespace-packages lists the tests/ folders of pythonpath"
    return pythonpath


def test_tests_folders_form_one_namespace_package() -> None:
    folders = _tests_folders()
    pythonpath = _on_pythonpath()
    assert set(pythonpath) <= set(folders), "pythonpath lists only folders that have tests/"
    # A regular package `tests` anywhere would hide every other portion.
    assert [f for f in folders.values() if (f / "__init__.py").exists()] == []
    # Helpers and subpackages are imported by name, so their member must be on the path.
    for member, folder in folders.items():
        helpers = {n for n in _top_level_names(folder) if not n.startswith("test_")}
        helpers.discard("conftest")
        assert member in pythonpath or not helpers, (
            f"{member}/tests has {sorted(helpers)}: add {member!r} to pythonpath"
        )


def test_members_tests_share_no_top_level_name() -> None:
    # Two folders defining `tests.<name>` would make `from tests.<name> import ...` (and the
    # workflow sandbox's re-import by module name) reach only the first on sys.path. A
    # conftest.py is imported by name only from a folder on the pythonpath.
    pythonpath = _on_pythonpath()
    owners: dict[str, list[str]] = {}
    for member, folder in _tests_folders().items():
        for name in _top_level_names(folder):
            if name != "conftest" or member in pythonpath:
                owners.setdefault(name, []).append(member)
    shared = {name: members for name, members in owners.items() if len(members) > 1}
    assert shared == {}, f"rename these so that each tests.<name> lives in one place: {shared}"


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


def _tests_modules_imported(source: Path) -> Iterator[str]:
    """The ``tests.<name>`` top-level names a test file imports (``from tests import x`` too)."""
    for module in imported_modules(source):
        parts = module.split(".")
        if parts[0] == "tests" and len(parts) > 1:
            yield parts[1]
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.ImportFrom) and node.module == "tests" and not node.level:
            yield from (alias.name for alias in node.names)


# The example's store tests start their Postgres through the root's helper: a member's
# conftest.py off the pythonpath cannot import a sibling module by name. They go with the example.
_CROSSING_ALLOWED = {("packages/support-tools/tests/conftest.py", "postgres_server")}


def test_members_tests_never_import_another_members_tests() -> None:
    # Test helpers two members need belong in a package (stack_testapp, or the library's
    # agents_temporal.testing), not in one member's tests/ for the other to import: deleting or
    # changing one member's tests must not break another's. Root tests may import any.
    owners: dict[str, str] = {}
    folders = _tests_folders()
    for member, folder in folders.items():
        for name in _top_level_names(folder):
            owners.setdefault(name, member)
    crossings: list[tuple[str, str]] = []
    for member, folder in folders.items():
        if member == ".":
            continue
        for source in sorted(folder.rglob("*.py")):
            for name in _tests_modules_imported(source):
                if owners.get(name, member) != member:
                    crossings.append((source.relative_to(ROOT).as_posix(), name))
    assert set(crossings) <= _CROSSING_ALLOWED, sorted(set(crossings) - _CROSSING_ALLOWED)


def test_the_crossing_check_sees_from_tests_imports(tmp_path: Path) -> None:
    source = tmp_path / "probe.py"
    source.write_text("from tests import a, b\nimport tests.c.d\nfrom tests.e import f\n")
    assert sorted(_tests_modules_imported(source)) == ["a", "b", "c", "e"]
