"""A worker builds the OpenAI stream event types before it polls, not in a workflow task.

The OpenAI client builds each model's validator on its first use, under a process-wide lock.
Left to the first streamed turn on a fresh worker, that build ran inside workflow tasks: on a
starved CPU the churn scenario's new workers failed tasks as potential deadlocks there
(`pydantic.main.model_rebuild`, from `response_stream_events`). A fresh interpreter shows the
types unbuilt after import and built once the plugin's worker context is entered.
"""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import asyncio

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal._streaming.workflow_model import STREAM_EVENT_TYPES


def built() -> list[bool]:
    return [t.__pydantic_complete__ for t in STREAM_EVENT_TYPES]


async def main() -> None:
    print(built())
    async with OpenAIAgentsPlugin()._while_worker_runs():
        print(built())


asyncio.run(main())
"""


def test_the_worker_context_builds_the_stream_event_types() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    before, after = result.stdout.split("\n")[:2]
    # Deferred on import (else this test proves nothing), built before any workflow task.
    assert "True" not in before, before
    assert "False" not in after, after
