"""A workflow that runs unchanged on the published integration and on ours.

Only the import of ``activity_as_tool`` differs, as it would in code moving from one to the
other; the takeover tests start it on a worker running ``temporalio.openai_agents`` and finish
it on one running ``agents_temporal``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from agents import Agent, FunctionTool, Runner

    try:
        from agents_temporal.workflow import activity_as_tool
    except ImportError:  # a worker running the published integration
        from temporalio.openai_agents.workflow import (  # pyright: ignore[reportMissingImports]
            activity_as_tool,  # pyright: ignore[reportUnknownVariableType]
        )

TOOL = "release_parcel"


@activity.defn(name=TOOL)
async def release_parcel(parcel: str) -> str:
    """Release a parcel held at the depot.

    Args:
        parcel: The parcel's number.
    """
    return f"parcel {parcel} released"


@workflow.defn
class ParcelAgent:
    """Asks an agent to release a parcel; the agent calls the ``release_parcel`` activity."""

    @workflow.run
    async def run(self, request: str) -> str:
        tool = cast(
            FunctionTool,
            activity_as_tool(release_parcel, start_to_close_timeout=timedelta(seconds=30)),
        )
        agent = Agent(name="Depot", instructions="Release parcels when asked.", tools=[tool])
        result = await Runner.run(agent, request)
        return str(result.final_output)
