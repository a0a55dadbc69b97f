"""Shared helpers for the offline checks of infra/: paths, YAML loading, workspace facts."""

from __future__ import annotations

import json
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from agent_stack.settings import Settings
from agents_temporal.apps import ENTRY_POINT_GROUP, discover_apps

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
K8S = INFRA / "k8s"
SCHEMAS = Path(__file__).parent / "schemas"

STANDARD_AWS_VARIABLES = frozenset(
    {
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_PROFILE",
    }
)
"""Read by boto3 for S3 payload storage; documented in .env.example, not settings of ours."""

TOOL_VARIABLES = frozenset({"LITELLM_LOCAL_MODEL_COST_MAP"})
"""Read by a library, not by Settings: litellm's switch to skip downloading its cost map."""


def setting_names() -> frozenset[str]:
    """Every environment variable the stack's Settings and each installed app's settings read."""
    names = set(Settings.env_var_names())
    for app in discover_apps():
        names.update(app.settings.env_var_names())
    return frozenset(names)


def load_yaml(path: Path) -> Any:
    """The single YAML document in ``path``."""
    return yaml.safe_load(path.read_text())


def load_yaml_documents(path: Path) -> list[Any]:
    """Every non-empty YAML document in ``path``."""
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def load_json(path: Path) -> Any:
    return json.loads(path.read_text())


@cache
def workspace_members() -> dict[str, Path]:
    """Workspace member package names, each with its pyproject.toml."""
    root = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns: list[str] = root["tool"]["uv"]["workspace"]["members"]
    members: dict[str, Path] = {}
    for pattern in patterns:
        for pyproject in sorted(REPO.glob(f"{pattern}/pyproject.toml")):
            name: str = tomllib.loads(pyproject.read_text())["project"]["name"]
            members[name] = pyproject
    return members


def agent_app_packages() -> frozenset[str]:
    """Workspace members that declare an agent app (a ``durable_agents.apps`` entry point)."""
    found: set[str] = set()
    for name, pyproject in workspace_members().items():
        project = tomllib.loads(pyproject.read_text())["project"]
        if project.get("entry-points", {}).get(ENTRY_POINT_GROUP):
            found.add(name)
    return frozenset(found)


def console_scripts(package: str) -> dict[str, str]:
    """The ``[project.scripts]`` of a workspace member."""
    project = tomllib.loads(workspace_members()[package].read_text())["project"]
    scripts: dict[str, str] = project.get("scripts", {})
    return scripts
