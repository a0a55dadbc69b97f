"""The two local Temporal servers the benches compare: tuned (ours) and as it comes.

Every server the project starts runs with ``agents_temporal.testing.DEV_SERVER_DYNAMIC_CONFIG``,
which lifts the history service's task-read throttles (docs/PERFORMANCE.md). A bench that shows
what the tuning gives starts an untuned server beside the tuned one: the dev server as its users
run it (``temporal server start-dev``), with only updates enabled, which our workflows need and
which change no timing.
"""

from __future__ import annotations

from temporalio.testing import WorkflowEnvironment

from agents_temporal.testing import dev_server_config_args, temporal_cli_path

UPDATES = {
    "frontend.enableUpdateWorkflowExecution": "true",
    "frontend.enableUpdateWorkflowExecutionAsyncAccepted": "true",
}
"""The untuned server's only dynamic config: updates on, every throttle at its default."""


async def start_untuned_server() -> WorkflowEnvironment:
    """A local dev server with the history service's defaults (20 task reads/s per shard)."""
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path(),
        dev_server_log_level="error",
        dev_server_extra_args=dev_server_config_args(UPDATES),
    )
