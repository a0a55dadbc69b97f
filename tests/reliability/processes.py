"""Ending the processes the reliability tests start, the way a crash would."""

from __future__ import annotations

import asyncio
import signal


async def sigkill(process: asyncio.subprocess.Process) -> None:
    """SIGKILL (no shutdown, nothing in memory survives) and wait until it is gone."""
    if process.returncode is None:
        process.send_signal(signal.SIGKILL)
    await process.wait()
