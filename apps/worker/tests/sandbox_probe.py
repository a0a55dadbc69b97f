"""A workflow that tells whether the sandbox shares its module with the worker or not."""

from __future__ import annotations

from temporalio import workflow

MARK: str | None = None
"""Set by a test in the worker's copy of this module; a copy the sandbox imported keeps None."""


@workflow.defn
class SandboxProbe:
    @workflow.run
    async def run(self) -> str | None:
        return MARK
