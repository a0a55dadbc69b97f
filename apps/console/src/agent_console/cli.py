"""The ``console`` command: serve the operator console with Streamlit, headless."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from agent_stack.settings import Settings, SettingsError, load_settings
from agents_temporal.process import run_main

APP_SCRIPT = Path(__file__).with_name("app.py")
"""The Streamlit script the console runs."""

DEFAULT_ADDRESS = "localhost"
"""Where the console listens unless told otherwise: this machine only."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="console",
        description=(
            "Serve the operator console (Streamlit). Settings come from the environment and an "
            "optional .env file (see infra/.env.example)."
        ),
    )
    parser.add_argument("--port", type=int, help="port to listen on (default: CONSOLE_PORT)")
    parser.add_argument(
        "--address",
        help="interface to listen on (default: STREAMLIT_SERVER_ADDRESS, else localhost only)",
    )
    parser.add_argument(
        "streamlit_args",
        nargs=argparse.REMAINDER,
        help="more `streamlit run` options after --, e.g. -- --theme.base dark",
    )
    return parser


def _is_local(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def streamlit_command(
    settings: Settings,
    *,
    port: int | None = None,
    address: str | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    """The ``python -m streamlit run ...`` command line that serves the console."""
    command = [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT)]
    command += ["--server.port", str(port or settings.console_port)]
    command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    # The console is an app, not a notebook: no reloading on file changes, no watcher threads.
    command += ["--server.fileWatcherType", "none", "--server.runOnSave", "false"]
    command += ["--client.toolbarMode", "minimal"]
    # Only these names may reach the session's WebSocket, where everything the page shows and
    # does travels: a page of another name rebound to this machine gets nothing (DNS rebinding).
    for host in settings.allowed_hosts("console"):
        command += ["--server.allowedHosts", host]
    if address is not None:
        command += ["--server.address", address]
    return [*command, *extra]


def listen_address(explicit: str | None, environ: dict[str, str]) -> str:
    """The interface to listen on: ``--address``, STREAMLIT_SERVER_ADDRESS, or localhost."""
    return explicit or environ.get("STREAMLIT_SERVER_ADDRESS") or DEFAULT_ADDRESS


def exposure_refusal(settings: Settings, address: str) -> str | None:
    """Why the console must not listen on ``address``: beyond loopback with no login set up."""
    if _is_local(address):
        return None
    if settings.console_operators is not None or settings.console_access_token is not None:
        return None
    if (Path(".streamlit") / "secrets.toml").is_file():
        # An [auth] section there turns on the OIDC login; the page checks it.
        return None
    return (
        f"console: refusing to listen on {address!r} with no login, where anyone who reaches "
        "it could decide approvals: set CONSOLE_OPERATORS (name:token pairs), or configure an "
        "OIDC login in .streamlit/secrets.toml, or listen on localhost (--address localhost)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``console`` command; replaces the process with Streamlit's server."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"console: {error}", file=sys.stderr)
        return 2
    address = listen_address(args.address, dict(os.environ))
    refusal = exposure_refusal(settings, address)
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return 2
    extra = [a for a in args.streamlit_args if a != "--"]
    command = streamlit_command(settings, port=args.port, address=address, extra=extra)
    print(f"console: serving on http://{address}:{args.port or settings.console_port}", flush=True)
    sys.stderr.flush()
    # exec, not a child process: signals reach Streamlit directly and nothing is left behind.
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return


def run() -> NoReturn:
    """The ``console`` console script: ``main``, then the process ends without finalizing.

    A process that loaded Temporal's core can abort while the interpreter finalizes (see
    ``agents_temporal.process``); ``main`` stays a plain function that tests call.
    """
    run_main(main)


if __name__ == "__main__":
    run()
