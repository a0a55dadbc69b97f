"""A new worker builds, before it polls, what its first workflow tasks would otherwise build.

A process builds some things once, on first use: the pydantic adapter of each payload type, the
schema of each activity made a tool, the OpenAI models the Agents SDK's usage holds. Left to a
fresh worker's first workflow tasks, every workflow thread built the same ones at once under
the SDK's 2 s deadlock detector; in the 300-conversation churn a worker started to replace a
killed one failed tasks as potential deadlocks that way. Counted, never timed: a new
interpreter runs the worker app with the support app and holds three conversations of one shape
(a look-up, a refund that waits for approval), counting the pydantic schemas built inside
workflow tasks. The first conversation must build exactly what each later one does: what every
run builds for itself (the adapter of its context class, which the sandbox re-imports for each
run; the Agents SDK's output schema of each guardrail agent, made on every turn), nothing once
per process. Before the worker warmed up, the first built 20 more than the others.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(180, method="thread")
def test_a_fresh_workers_workflow_tasks_build_no_schemas(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
) -> None:
    address = temporal_env.client.service_client.config.target_host
    result = subprocess.run(
        [sys.executable, "-m", "tests.reliability.cold_worker", address, task_queue, tmp_path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=150,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    # The counters see builds (the worker's start makes them), and the approval path ran.
    assert report["at_start"] > 0, report
    assert report["approvals"] == 3, report
    first, *later = report["in_workflow_tasks"]
    assert later == [first] * len(later), report
