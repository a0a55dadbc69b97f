"""A workflow that tells whether the sandbox shared SQLAlchemy with the worker or re-imported it."""

from __future__ import annotations

import sqlalchemy
from temporalio import workflow

PROBE_ATTRIBUTE = "_agents_temporal_sandbox_probe"
"""Set on the worker's copy of the module; a copy the sandbox imported does not have it."""


@workflow.defn
class SandboxProbe:
    @workflow.run
    async def run(self) -> str | None:
        return getattr(sqlalchemy, PROBE_ATTRIBUTE, None)
