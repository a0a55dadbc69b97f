"""A workflow whose tasks count how many of them a worker runs at once.

The module is passed through the sandbox, so every workflow shares one counter. Each task waits
(briefly, well under the deadlock limit) for a third to join it: with room for three or more
tasks at once they meet at once; with room for two they cannot.
"""

from __future__ import annotations

import threading

from temporalio import workflow

_MEET = 3
_WAIT_SECONDS = 0.8
_changed = threading.Condition()
_running = 0
peak = 0
"""The most tasks seen running at once since the last ``reset``."""


def reset() -> None:
    global peak
    with _changed:
        peak = 0


def _occupy() -> int:
    global _running, peak
    with _changed:
        _running += 1
        peak = max(peak, _running)
        _changed.notify_all()
        _changed.wait_for(lambda: _running >= _MEET, timeout=_WAIT_SECONDS)
        _running -= 1
        return peak


@workflow.defn
class SlotsProbe:
    @workflow.run
    async def run(self) -> int:
        return _occupy()
