"""Child processes of the dev stack: started in their own session, output prefixed, stopped."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

_PR_SET_PDEATHSIG = 1
# Loaded in the parent: the child, between fork and exec, must do as little as possible.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:
    # Runs in the child between fork and exec. Linux only: if `dev` itself is killed (even with
    # SIGKILL), the kernel sends the child SIGTERM, so a crashed `dev` leaves no orphans.
    # Elsewhere this is a no-op and Ctrl-C still stops everything through `Child.stop`.
    if _LIBC is None:
        return
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class Child:
    """One process of the stack (Temporal, the worker or the console).

    It runs in a session of its own, so a Ctrl-C in the terminal reaches only `dev`, which then
    stops the children in order (console, worker, Temporal) instead of all at once.

    Args:
        name: Short name used to prefix its output lines.
        command: The command line.
        env: Its environment.
        out: Where its output lines go (prefixed), or None to write them to ``log_file`` only.
        log_file: A file that receives its output too (unprefixed).
    """

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        env: Mapping[str, str],
        *,
        out: TextIO | None,
        log_file: Path | None = None,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.env = dict(env)
        self._out = out
        self._log_file = log_file
        self.process: asyncio.subprocess.Process | None = None
        self._pump: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        """The process id, once started."""
        return None if self.process is None else self.process.pid

    @property
    def returncode(self) -> int | None:
        """The exit code, once it exited."""
        return None if self.process is None else self.process.returncode

    async def start(self) -> None:
        """Start the process and the task that forwards its output."""
        self.process = await asyncio.create_subprocess_exec(
            *self.command,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self._pump = asyncio.create_task(self._forward(self.process))

    async def _forward(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        log = self._log_file.open("a", encoding="utf-8") if self._log_file else None
        try:
            async for raw in process.stdout:
                line = raw.decode("utf-8", "replace").rstrip()
                if log is not None:
                    log.write(line + "\n")
                    log.flush()
                if self._out is not None:
                    self._out.write(f"{self.name:>8} | {line}\n")
                    self._out.flush()
        finally:
            if log is not None:
                log.close()

    async def wait(self) -> int:
        """Wait for the process to exit; returns its exit code."""
        assert self.process is not None
        code = await self.process.wait()
        if self._pump is not None:
            with contextlib.suppress(Exception):
                await self._pump
        return code

    async def stop(self, grace_seconds: float, say: Callable[[str], None]) -> None:
        """SIGTERM, wait up to ``grace_seconds``, then SIGKILL; a no-op once it has exited."""
        process = self.process
        if process is None or process.returncode is not None:
            if process is not None:
                await self.wait()
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(grace_seconds):
                await self.wait()
        except TimeoutError:
            say(f"{self.name} did not stop within {grace_seconds:.0f} s: killing it")
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await self.wait()
