"""Any process: end a program that used Temporal without the interpreter's finalization.

Why: the Temporal SDK runs its core on Tokio threads, and a call into Python made for it
(``pyo3_async_runtimes`` completing a future, or dropping the Python objects a task held) can
still be running or queued when the main thread returns. Once CPython 3.11 starts finalizing,
a foreign thread that asks for the GIL is ended with ``pthread_exit``; the forced unwind runs
the Rust frames' destructors, which release a thread state that is not current. The process
then aborts with ``Fatal Python error: PyGILState_Release`` (exit 134) or a segmentation fault,
after all of its work succeeded. Nothing is left to do at that point that finalization would
do for us, so ending the process with ``os._exit`` once output is flushed avoids the race.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from collections.abc import Callable
from typing import NoReturn

FINALIZE_ENV = "AGENTS_TEMPORAL_FINALIZE_AT_EXIT"
"""Set to ``1`` to let processes finalize as usual (for tools that save data in ``atexit``)."""


def _flush() -> None:
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def exit_without_finalizing(code: int = 0) -> NoReturn:
    """End the process now with ``code``, after flushing logging, stdout and stderr.

    Python's ``atexit`` handlers and finalizers do not run (see the module docstring for why
    that is the point). With ``AGENTS_TEMPORAL_FINALIZE_AT_EXIT=1`` it is a plain
    ``sys.exit(code)`` instead.
    """
    if os.environ.get(FINALIZE_ENV) == "1":
        sys.exit(code)
    _flush()
    os._exit(code)


def run_main(main: Callable[[], int | None]) -> NoReturn:
    """Run a program's ``main``, then end the process without finalizing.

    Use it as a console script's entry point: ``SystemExit`` keeps its code, Ctrl-C ends with
    130, and an unexpected exception prints its traceback and ends with 1.
    """
    try:
        code = main() or 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if not isinstance(done.code, int | None):
            print(done.code, file=sys.stderr)
    except KeyboardInterrupt:
        code = 130
    except BaseException:
        traceback.print_exc()
        code = 1
    exit_without_finalizing(code)
