"""Run `dev` as a subprocess on free ports, wait until it is ready, stop it, check for orphans."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

DEV = Path(sys.executable).with_name("dev")
"""The `dev` console script of this environment."""

_UNSET = ("OPENAI_API_KEY", "MODEL", "CONSOLE_ACCESS_TOKEN", "TEMPORAL_API_KEY", "DATABASE_URL")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces; fields follow the last ")".
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    return parents


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process."""
    return pid in _parents()


@dataclass
class DevProcess:
    """One `dev` run and what it printed."""

    process: subprocess.Popen[str]
    temporal_address: str
    ui_url: str
    console_url: str
    output: list[str] = field(default_factory=list[str])
    ready: threading.Event = field(default_factory=threading.Event)
    drainer: threading.Thread | None = None

    @classmethod
    def start(
        cls,
        workdir: Path,
        *,
        ports: tuple[int, int, int] | None = None,
        command: Sequence[str] = (str(DEV),),
        environ: Mapping[str, str] | None = None,
        **env: str,
    ) -> DevProcess:
        """Start `dev` in ``workdir`` (its `.data` goes there) on free ports.

        ``command`` runs `dev` (this environment's, unless a test runs ``uv run dev``
        elsewhere), in ``environ`` (``os.environ`` by default) plus ``env``.
        """
        grpc, ui, console = ports or (free_port(), free_port(), free_port())
        inherited = os.environ if environ is None else environ
        merged = {k: v for k, v in inherited.items() if k not in _UNSET}
        merged.update(
            TEMPORAL_ADDRESS=f"127.0.0.1:{grpc}",
            TEMPORAL_UI_URL=f"http://127.0.0.1:{ui}",
            CONSOLE_PORT=str(console),
            PYTHONUNBUFFERED="1",
            **env,
        )
        process = subprocess.Popen(
            [*command, "--data-dir", str(workdir / ".data")],
            cwd=workdir,
            env=merged,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        dev = cls(
            process, f"127.0.0.1:{grpc}", f"http://127.0.0.1:{ui}", f"http://localhost:{console}/"
        )
        dev.drainer = threading.Thread(target=dev._drain, name="dev-output", daemon=True)
        dev.drainer.start()
        return dev

    @property
    def ports(self) -> tuple[int, int, int]:
        """The Temporal, Web UI and console ports."""
        return (
            int(self.temporal_address.rsplit(":", 1)[1]),
            int(self.ui_url.rsplit(":", 1)[1]),
            int(self.console_url.rstrip("/").rsplit(":", 1)[1]),
        )

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if line.startswith("dev: ready"):
                self.ready.set()
        self.ready.set()

    def text(self) -> str:
        return "".join(self.output)

    def wait_ready(self, seconds: float = 240) -> None:
        """Wait for "dev: ready"; fails with everything `dev` printed otherwise."""
        self.ready.wait(seconds)
        if self.process.poll() is not None or "dev: ready" not in self.text():
            self.kill()
            raise AssertionError(f"dev did not become ready:\n{self.text()}")

    def descendants(self) -> set[int]:
        """Every live process started by `dev`, however deep."""
        parents = _parents()
        found: set[int] = set()
        frontier = {self.process.pid}
        while frontier:
            children = {pid for pid, parent in parents.items() if parent in frontier}
            frontier = children - found
            found |= children
        return found

    def stop(self, sig: signal.Signals, seconds: float = 120) -> int:
        """Send ``sig`` and wait for `dev` to exit; returns its exit code."""
        self.process.send_signal(sig)
        code = self.process.wait(timeout=seconds)
        self._close()
        return code

    def _close(self) -> None:
        if self.drainer is not None:
            self.drainer.join(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def kill(self) -> None:
        """Last resort for a failed test: kill `dev` and everything it started."""
        for pid in self.descendants():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        self._close()
