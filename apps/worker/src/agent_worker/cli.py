"""The ``worker`` command."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from agent_stack.settings import Settings

# The stack (Temporal, the Agents SDK, litellm, every app) is imported only once the arguments
# are parsed: `worker --help` and a usage error answer at once, without importing the world
# (tests/test_console_scripts.py checks which modules `--help` loads).


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="worker",
        description=(
            "Run the Temporal worker for every installed agent app. Settings come from the "
            "environment and an optional .env file (see infra/.env.example)."
        ),
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="check that Temporal is reachable and a worker polled the task queue in the last "
        "75 s (and, with WORKER_HEALTH_PORT, that this machine's worker is ready), then exit "
        "(0 healthy, 1 not); for container health checks",
    )
    parser.add_argument(
        "--apps",
        nargs="+",
        metavar="NAME",
        help="run only these agent apps (default: AGENT_APP_NAMES, else all installed, or "
        "those of AGENT_APP_OBJECTS)",
    )
    parser.add_argument(
        "--list-apps",
        action="store_true",
        help="list installed agent apps (and name workspace apps that are not installed)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    chat = commands.add_parser(
        "chat",
        help="chat with a running worker in this terminal",
        description="Chat with an agent app served by a running worker: handoffs and tool "
        "calls are shown, approvals are asked inline.",
    )
    chat.add_argument("--app", help="the agent app to talk to (default: the first installed)")
    chat.add_argument("--conversation", metavar="ID", help="resume this conversation")
    codec = commands.add_parser(
        "codec-server",
        help="decrypt payloads for the Temporal Web UI (its codec endpoint)",
        description="Serve /encode and /decode with the PAYLOAD_ENCRYPTION_KEYS codec on "
        "CODEC_SERVER_PORT, for the Temporal Web UI at TEMPORAL_UI_URL. Anyone who can reach "
        "it can read payloads: keep it on 127.0.0.1 or set CODEC_SERVER_TOKEN.",
    )
    codec.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    return parser


async def _codec_server(settings: Settings, host: str) -> None:
    from agent_stack.signals import stop_on_signals
    from agent_worker._codec_server import serve_codec

    stop = asyncio.Event()
    remove_handlers = stop_on_signals(stop)
    try:
        await serve_codec(settings, host=host, stop=stop)
    finally:
        remove_handlers()


async def _chat(settings: Settings, app_name: str | None, conversation_id: str | None) -> None:
    from agent_stack.apps import installed_apps
    from agent_stack.connection import connect
    from agent_worker._chat import TerminalChat, open_conversation
    from agents_temporal import OpenAIAgentsPlugin

    apps = installed_apps(
        [app_name] if app_name else None,
        needed_by="there is nobody to chat with",
        objects=settings.app_objects,
    )
    client = await connect(settings, [OpenAIAgentsPlugin()])
    conversation = await open_conversation(
        client, apps[0], settings.temporal_task_queue, conversation_id
    )
    await TerminalChat(
        conversation, operator=settings.console_operator, read_line=input, out=sys.stdout
    ).run()


def _check() -> int:
    """``worker --check``: the health report on stdout, 0 healthy, 1 not, 2 bad settings.

    A container's health check runs it every few seconds, so it loads only the settings and
    Temporal's client, not the Agents SDK, the model clients and the apps the worker serves
    (about 0.8 s instead of 3.6 here; ``tests/test_worker_check.py`` checks what it imports).
    """
    from agent_stack.health import check_health
    from agent_stack.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"worker: {error}", file=sys.stderr)
        return 2
    try:
        report = asyncio.run(check_health(settings, local_worker=True))
    except KeyboardInterrupt:
        return 130
    print(json.dumps(report.as_dict()) if not sys.stdout.isatty() else report.message)
    return 0 if report.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``worker`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    from agent_worker._logging import configure_logging

    configure_logging()
    if args.check:
        return _check()
    from agent_stack.apps import (
        installed_apps,
        select_apps,
        uninstalled_app_packages,
        workspace_root,
    )
    from agent_stack.connection import TemporalUnreachableError
    from agent_stack.settings import SettingsError, load_app_settings, load_settings
    from agent_worker._codec_server import CodecServerError
    from agent_worker._models import ModelSetupError
    from agent_worker._run import NEEDED_BY, serve_worker
    from agents_temporal.apps import AgentAppError

    try:
        settings = load_settings()
        if args.command == "chat":
            asyncio.run(_chat(settings, args.app, args.conversation))
            return 0
        if args.command == "codec-server":
            asyncio.run(_codec_server(settings, args.host))
            return 0
        # A package under apps/ that the root project does not depend on is locked but not
        # installed: say so, rather than leave it out silently.
        for problem in uninstalled_app_packages(workspace_root(Path.cwd())):
            print(f"worker: {problem}", file=sys.stderr)
        if args.list_apps:
            for app in select_apps(args.apps, objects=settings.app_objects):
                print(f"{app.name}\t{app.title}: {app.description}")
            return 0
        apps = installed_apps(
            args.apps or settings.app_names(), needed_by=NEEDED_BY, objects=settings.app_objects
        )
        # Every app's own settings are checked now, before anything connects or opens.
        return serve_worker(settings, apps, app_settings=load_app_settings(apps))
    except (
        SettingsError,
        AgentAppError,
        ModelSetupError,
        TemporalUnreachableError,
        CodecServerError,
    ) as error:
        print(f"worker: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def run() -> NoReturn:
    """The ``worker`` console script: ``main``, then the process ends without finalizing.

    A process that loaded Temporal's core can abort while the interpreter finalizes (see
    ``agents_temporal.process``); ``main`` stays a plain function that tests call.
    """
    # `--help` and usage errors end here, before anything heavy is imported.
    _parser().parse_args()
    from agents_temporal.process import run_main

    run_main(main)


if __name__ == "__main__":
    run()
