"""How long the operator console takes to show its first page, from the server's start.

Starts a local Temporal server, then for each round and each checkout (this one, and any given
with ``--checkout``, e.g. a worktree of an older commit, each with its own ``.venv``) serves the
console with that checkout's ``console`` command and loads it in Debian's Chromium (headless):

- ``paint``: the server's start until the page's frame (the sidebar's "Agent console") shows;
- ``ready``: until the page is usable ("New conversation" shows);
- ``import``: the console page module's import time in that checkout, Streamlit already loaded
  (as it is when Streamlit runs the page).

Checkouts alternate within each round, so a busy machine slows them alike; compare the ratios,
not the seconds. No worker runs: what is measured is the console's own start.

    uv run python bench/console_first_paint.py --rounds 3 --checkout ../older-worktree
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from agents_temporal.process import run_main
from agents_temporal.testing import start_local_server

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
IMPORT_PROBE = (
    "import time, streamlit; t = time.perf_counter(); import agent_console._ui; "
    "print(time.perf_counter() - t)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _import_seconds(checkout: Path) -> float:
    python = checkout / ".venv" / "bin" / "python"
    result = subprocess.run(
        [str(python), "-c", IMPORT_PROBE], capture_output=True, text=True, check=True
    )
    return float(result.stdout.strip())


def _serve(checkout: Path, temporal: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TEMPORAL_ADDRESS": temporal, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [str(checkout / ".venv" / "bin" / "console"), "--port", str(port)],
        cwd=checkout,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_http(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer")


def _one_load(browser_args: list[str], checkout: Path, temporal: str) -> tuple[float, float]:
    port = _free_port()
    started = time.monotonic()
    server = _serve(checkout, temporal, port)
    try:
        _wait_http(f"http://127.0.0.1:{port}/_stcore/health", started + 120)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=browser_args)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                page.goto(f"http://127.0.0.1:{port}/", wait_until="commit")
                page.get_by_text("Agent console").first.wait_for(timeout=120_000)
                paint = time.monotonic() - started
                page.get_by_role("button", name="New conversation").wait_for(timeout=120_000)
                ready = time.monotonic() - started
            finally:
                browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    return paint, ready


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--checkout",
        action="append",
        type=Path,
        default=[],
        help="another checkout to compare (with its own .venv); repeatable",
    )
    args = parser.parse_args()
    checkouts = [ROOT, *(path.resolve() for path in args.checkout)]
    browser_args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    loop = asyncio.new_event_loop()
    temporal_port = _free_port()
    server = loop.run_until_complete(start_local_server(port=temporal_port))
    temporal = f"127.0.0.1:{temporal_port}"
    results: dict[Path, dict[str, list[float]]] = {
        c: {"import": [], "paint": [], "ready": []} for c in checkouts
    }
    try:
        for _ in range(args.rounds):
            for checkout in checkouts:
                results[checkout]["import"].append(_import_seconds(checkout))
                paint, ready = _one_load(browser_args, checkout, temporal)
                results[checkout]["paint"].append(paint)
                results[checkout]["ready"].append(ready)
    finally:
        loop.run_until_complete(server.shutdown())
    base = {k: statistics.median(v) for k, v in results[ROOT].items()}
    print(f"{'checkout':<40} {'import s':>9} {'paint s':>8} {'ready s':>8}  ratios to this one")
    for checkout, measured in results.items():
        medians = {k: statistics.median(v) for k, v in measured.items()}
        ratios = " ".join(f"{k} {medians[k] / base[k]:.2f}x" for k in ("import", "paint", "ready"))
        print(
            f"{str(checkout)[-40:]:<40} {medians['import']:>9.2f} {medians['paint']:>8.2f} "
            f"{medians['ready']:>8.2f}  {ratios}"
        )


if __name__ == "__main__":
    # The Temporal server's client threads must not abort the interpreter's finalization.
    run_main(main)
