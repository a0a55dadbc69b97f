"""A pytest plugin: a test that outlives a thread-method timeout names itself as the run ends.

pytest-timeout's thread method ends the whole process (it is the only safe way out of a stuck
event loop) after dumping every thread's stack. For an asyncio test those stacks all end in the
selector, and the dump does not say which test it was, so a CI log's tail explains nothing.
This replaces that report with what does: the test's captured output, where each of its asyncio
tasks waits, the threads that are busy, the processes it left running, and last of all the
test's id.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import signal
import sys
import threading
import traceback
from pathlib import Path
from types import FrameType
from typing import Any, Protocol, TextIO, cast

import pytest

_SHOWN_TASK_KINDS = 12


class _CaptureManager(Protocol):
    """The part of pytest's capture plugin this report uses."""

    def suspend_global_capture(self, in_: bool = False) -> None: ...

    def read_global_capture(self) -> tuple[str, str]: ...


def _current_frames() -> dict[int, FrameType]:
    return sys._current_frames()  # pyright: ignore[reportPrivateUsage]


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> bool | None:
    """Arm our own timer for the thread method; leave the signal method to pytest-timeout."""
    if settings.method != "thread":
        return None
    timer = threading.Timer(settings.timeout, _expire, (item, settings.timeout))
    timer.name = f"timeout of {item.nodeid}"
    timer.daemon = True

    def cancel() -> None:
        timer.cancel()
        timer.join()

    # pytest-timeout's own cancel hook calls this when the test ends in time.
    item.cancel_timeout = cancel  # type: ignore[attr-defined]
    timer.start()
    return True


def _expire(item: pytest.Item, seconds: float) -> None:
    out = sys.__stderr__ or sys.stderr
    try:
        _report(item, seconds, out)
    except Exception:  # a report that fails must still end the run
        traceback.print_exc(file=out)
    finally:
        out.flush()
        sys.stdout.flush()
        # Orphans (the session's Temporal server, say) would hold the log's pipe open.
        for pid in _child_processes(os.getpid()):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        os._exit(1)


def _report(item: pytest.Item, seconds: float, out: TextIO) -> None:
    plugin = item.config.pluginmanager.getplugin("capturemanager")
    if plugin is not None:
        capture = cast(_CaptureManager, plugin)
        capture.suspend_global_capture()
        stdout, stderr = capture.read_global_capture()
        for name, text in (("stdout", stdout), ("stderr", stderr)):
            if text:
                out.write(f"\n----- captured {name} of {item.nodeid} -----\n{text}")
    loop = _running_loop(threading.main_thread())
    if loop is not None:
        out.write(f"\n----- asyncio tasks of {item.nodeid} -----\n{_tasks(loop)}")
    busy = _busy_threads()
    if busy:
        out.write(f"\n----- busy threads -----\n{busy}")
    children = _child_processes(os.getpid())
    if children:
        listing = "".join(f"{line}\n" for line in children.values())
        out.write(f"\n----- processes this run started, killed now -----\n{listing}")
    out.write(
        f"\n!!!!! TIMEOUT: {item.nodeid} was still running after {seconds:.0f} s; "
        "the run ends here. Above: its output, tasks, busy threads and processes. !!!!!\n"
    )


def _running_loop(thread: threading.Thread) -> asyncio.AbstractEventLoop | None:
    """The event loop that ``thread`` is running, read off its stack."""
    frame: FrameType | None = _current_frames().get(thread.ident or -1)
    while frame is not None:
        candidate = frame.f_locals.get("self")
        if isinstance(candidate, asyncio.AbstractEventLoop):
            return candidate
        frame = frame.f_back
    return None


def _tasks(loop: asyncio.AbstractEventLoop) -> str:
    """The loop's tasks grouped by where they wait, the most common first."""
    waits: collections.Counter[str] = collections.Counter()
    for task in list(asyncio.all_tasks(loop)):
        chain = " > ".join(
            f"{f.f_code.co_name} ({os.path.basename(f.f_code.co_filename)}:{f.f_lineno})"
            for f in _awaiting(task.get_coro())
        )
        waits[chain or f"{task.get_name()} (no frames)"] += 1
    lines = [f"{count} x {chain}" for chain, count in waits.most_common(_SHOWN_TASK_KINDS)]
    hidden = len(waits) - _SHOWN_TASK_KINDS
    if hidden > 0:
        lines.append(f"... and {hidden} other kinds of task")
    return "\n".join(lines) + "\n"


def _awaiting(coro: object) -> list[FrameType]:
    """The frames of a suspended coroutine and of everything it awaits, outermost first.

    ``Task.get_stack`` stops at the task's own coroutine, before where it really waits.
    """
    frames: list[FrameType] = []
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None:
            frames.append(frame)
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return frames


_IDLE = frozenset({"wait", "get", "select", "poll", "_worker", "accept", "readline"})


def _busy_threads() -> str:
    """Stacks of the threads doing something, not waiting for work."""
    names = {t.ident: t.name for t in threading.enumerate()}
    me = threading.get_ident()
    parts: list[str] = []
    for ident, frame in _current_frames().items():
        if ident == me or frame.f_code.co_name in _IDLE:
            continue
        stack = "".join(traceback.format_stack(frame, limit=8))
        parts.append(f"~ {names.get(ident, ident)}\n{stack}")
    return "".join(parts)


def _child_processes(root: int) -> dict[int, str]:
    """Every live descendant of ``root``: a line with its state and CPU seconds, by pid.

    Read from /proc, so Linux only (elsewhere: none).
    """
    parents: dict[int, int] = {}
    lines: dict[int, str] = {}
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone since the listing, or not ours to read
            continue
        # The command name is in parentheses and may hold spaces: split after it.
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        cpu = (int(fields[11]) + int(fields[12])) / ticks
        lines[pid] = f"{pid} {fields[0]} {cpu:.1f}s cpu  {command.strip()[:160]}"

    def descends(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == root:
                return True
        return False

    return {pid: lines[pid] for pid in sorted(lines) if descends(pid)}
