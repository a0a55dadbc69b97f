"""Worker process: garbage collection set for a long-running worker, once it is warmed up.

A started worker holds a quarter of a million objects that live as long as the process (the
modules of the Temporal and Agents SDKs, pydantic's schemas and validators, the warm-up's
adapters). CPython's full collections walk all of them, although none can ever be garbage:
in the bench's steady state (`bench/cpu_per_call.py`) those walks were most of the time the
collector took, each a pause of the whole process, workflow threads included, while the
SDK's deadlock detector counts. `settle_heap` collects once, then moves everything left to
the collector's permanent generation (``gc.freeze``), so that later collections walk only
what the worker made since; and it lets the youngest generation grow larger before it is
collected, so that an activation's short-lived objects are seldom caught alive and promoted.

It is the worker app's choice, made for its own process: the library leaves the collector as
the host process has it.
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (10_000, 10, 10)
"""The collector's thresholds for a worker (CPython's default: ``(700, 10, 10)``)."""


def settle_heap() -> None:
    """Collect the start-up's garbage, freeze what is left and set `GC_THRESHOLDS`.

    Call it once the worker is built (the plugin warms it up then) and before it gets busy.
    """
    # Garbage frozen now would never be collected: collect first.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
