"""Ending processes that used Temporal: no crash in the interpreter's finalization.

A program that ran a Temporal client or worker can abort at exit, after its work succeeded
(``Fatal Python error: PyGILState_Release``, exit 134, on CPython 3.11), because the SDK's
Tokio threads may still call into Python while the interpreter finalizes. End such programs
with `run_main` (as a console script's entry point) or `exit_without_finalizing`. The pytest
plugin ``agents_temporal.pytest_plugin`` does the same at the end of a test session.
"""

from ._process import FINALIZE_ENV, exit_without_finalizing, run_main

__all__ = ["FINALIZE_ENV", "exit_without_finalizing", "run_main"]
