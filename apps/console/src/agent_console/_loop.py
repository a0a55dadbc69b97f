"""One asyncio event loop on a background thread, for the console's Temporal calls.

Streamlit runs each script run (and each fragment rerun) in a thread of its own, with no event
loop. A Temporal client belongs to the loop it was created on, so the console keeps one loop
alive on a daemon thread for the life of the process and hands every coroutine to it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

_T = TypeVar("_T")


class BackgroundLoop:
    """An event loop running forever on a daemon thread.

    Example:
        ```python
        loop = BackgroundLoop()
        result = loop.run(fetch_something(), timeout=10)
        ```
    """

    def __init__(self, name: str = "agent-console-loop") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop itself (for scheduling callbacks on it)."""
        return self._loop

    def submit(self, coroutine: Coroutine[Any, Any, _T]) -> concurrent.futures.Future[_T]:
        """Schedule ``coroutine`` on the loop and return at once with its future."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def run(self, coroutine: Coroutine[Any, Any, _T], *, timeout: float | None = None) -> _T:
        """Run ``coroutine`` on the loop and wait for its result.

        Args:
            coroutine: What to run.
            timeout: Seconds to wait; on expiry the coroutine is cancelled.

        Raises:
            TimeoutError: The coroutine did not finish in time.
            RuntimeError: Called from the loop's own thread (it would wait for itself).
        """
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("BackgroundLoop.run() called from its own loop: await instead")
        future = self.submit(coroutine)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"gave up after {timeout} seconds") from None

    def close(self) -> None:
        """Stop the loop and wait for its thread (pending tasks are abandoned)."""
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()
