"""Worker Versioning in tests: making a build current, and reading which build ran each task.

What an operator does with ``temporal worker deployment set-current-version``, done through
the same workflow-service call; and what the Web UI shows per workflow task, read from history.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from temporalio.api.workflowservice.v1 import (
    DescribeWorkerDeploymentRequest,
    SetWorkerDeploymentCurrentVersionRequest,
)
from temporalio.client import Client, WorkflowHistory
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.service import RPCError, RPCStatusCode

# Until its first worker polls, the server does not know a version, and refuses to make it
# current with one of these.
_NOT_YET = frozenset({RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION})


async def make_current(client: Client, version: WorkerDeploymentVersion) -> None:
    """Make ``version`` its deployment's current version, once a worker of it has polled."""
    request = SetWorkerDeploymentCurrentVersionRequest(
        namespace=client.namespace,
        deployment_name=version.deployment_name,
        build_id=version.build_id,
        identity="tests",
    )
    async with asyncio.timeout(60):
        while True:
            try:
                await client.workflow_service.set_worker_deployment_current_version(request)
                return
            except RPCError as error:
                if error.status not in _NOT_YET:
                    raise
            await asyncio.sleep(0.1)  # polling until the server knows the version


async def current_build(client: Client, deployment_name: str) -> str:
    """The build id of the deployment's current version, as the server describes it."""
    described = await client.workflow_service.describe_worker_deployment(
        DescribeWorkerDeploymentRequest(namespace=client.namespace, deployment_name=deployment_name)
    )
    return described.worker_deployment_info.routing_config.current_deployment_version.build_id


@dataclass(frozen=True)
class TaskVersion:
    """Which build completed one workflow task, and how the workflow said it moves."""

    event_id: int
    build_id: str
    """Empty for a task an unversioned worker completed."""
    behavior: VersioningBehavior


def task_versions(history: WorkflowHistory) -> list[TaskVersion]:
    """Every completed workflow task of the history, in order, with the build that ran it."""
    found: list[TaskVersion] = []
    for event in history.events:
        if event.HasField("workflow_task_completed_event_attributes"):
            completed = event.workflow_task_completed_event_attributes
            build_id = completed.deployment_version.build_id
            behavior = VersioningBehavior(int(completed.versioning_behavior))
            found.append(TaskVersion(event.event_id, build_id, behavior))
    return found


def failed_workflow_tasks(history: WorkflowHistory) -> list[str]:
    """The causes and messages of the history's failed workflow tasks (non-determinism...)."""
    return [
        f"{event.workflow_task_failed_event_attributes.cause}: "
        f"{event.workflow_task_failed_event_attributes.failure.message}"
        for event in history.events
        if event.HasField("workflow_task_failed_event_attributes")
    ]
