"""infra/*.Dockerfile name real paths, workspace packages and console scripts."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.infra._repo import (
    INFRA,
    REPO,
    agent_app_packages,
    console_scripts,
    workspace_members,
)


@dataclass(frozen=True)
class Image:
    dockerfile: Path
    app_package: str
    script: str


IMAGES = (
    Image(INFRA / "worker.Dockerfile", "agent-worker", "worker"),
    Image(INFRA / "console.Dockerfile", "agent-console", "console"),
)
_IDS = [image.script for image in IMAGES]


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with line continuations joined and comments dropped."""
    joined: list[str] = []
    pending = ""
    for raw in dockerfile.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    assert not pending, f"{dockerfile.name} ends inside a continued line"
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined]


def arguments(image: Image, instruction: str) -> list[str]:
    return [args for name, args in instructions(image.dockerfile) if name == instruction]


def packages_installed(image: Image) -> list[str]:
    """Every --package of the uv sync commands, with the AGENT_APPS default expanded."""
    agent_apps = [
        args.split("=", 1)[1].strip('"')
        for args in arguments(image, "ARG")
        if args.startswith("AGENT_APPS=")
    ]
    assert len(agent_apps) == 1, "AGENT_APPS needs one default"
    names: list[str] = []
    for args in arguments(image, "RUN"):
        if "uv sync" in args:
            names += re.findall(r"--package (?!\$)([A-Za-z0-9._-]+)", args)
    return names + agent_apps[0].split()


@pytest.mark.parametrize("image", IMAGES, ids=_IDS)
def test_copied_paths_exist(image: Image) -> None:
    for args in arguments(image, "COPY"):
        if args.startswith("--from="):
            continue
        words = [word for word in shlex.split(args) if not word.startswith("--")]
        for source in words[:-1]:
            assert (REPO / source).exists(), f"{image.dockerfile.name} copies missing {source}"


@pytest.mark.parametrize("image", IMAGES, ids=_IDS)
def test_installed_packages_are_workspace_members(image: Image) -> None:
    installed = packages_installed(image)
    assert image.app_package in installed
    unknown = set(installed) - set(workspace_members())
    assert not unknown, f"{image.dockerfile.name}: not workspace members: {sorted(unknown)}"


@pytest.mark.parametrize("image", IMAGES, ids=_IDS)
def test_the_generic_image_installs_no_agent_app_unless_asked(image: Image) -> None:
    # The example is the template's choice, made in compose.yaml, not the image's default.
    assert 'AGENT_APPS=""' in arguments(image, "ARG")
    assert not set(packages_installed(image)) & agent_app_packages()


@pytest.mark.parametrize("image", IMAGES, ids=_IDS)
def test_install_is_locked_and_without_dev_tools(image: Image) -> None:
    (sync,) = [args for args in arguments(image, "RUN") if "uv sync" in args]
    for flag in ("--locked", "--no-dev", "--no-editable"):
        assert flag in sync


@pytest.mark.parametrize("image", IMAGES, ids=_IDS)
def test_base_images_and_uv_are_pinned(image: Image) -> None:
    uv_copies = [args for args in arguments(image, "COPY") if "astral-sh/uv" in args]
    assert len(uv_copies) == 1
    assert re.search(r"ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+ /uv /usr/local/bin/uv", uv_copies[0])
    (python_image,) = [args for args in arguments(image, "ARG") if args.startswith("PYTHON_IMAGE=")]
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11\.\d+-slim-\w+", python_image)
    assert all(args.startswith("${PYTHON_IMAGE}") for args in arguments(image, "FROM"))


@pytest.mark.parametrize("image", IMAGES, ids=_IDS)
def test_runs_unprivileged_with_a_healthcheck(image: Image) -> None:
    (user,) = arguments(image, "USER")
    assert user.split(":")[0] not in ("root", "0")
    (healthcheck,) = arguments(image, "HEALTHCHECK")
    path = "/readyz" if image.script == "worker" else "/_stcore/health"
    assert path in healthcheck
    assert arguments(image, "CMD") == [f'["{image.script}"]']


@pytest.mark.parametrize("image", IMAGES, ids=_IDS)
def test_entry_point_is_a_console_script_of_the_app(image: Image) -> None:
    assert image.script in console_scripts(image.app_package)


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    ignored = {
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", "**/.env", "**/.venv", ".git", ".data"} <= ignored
    copied = {"pyproject.toml", "uv.lock", "README.md", "packages", "apps"}
    assert not ignored & copied
