"""What cannot run durably in a workflow is refused with a message that says what to do."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from agents_temporal.testing import AgentEnvironment, ResponseBuilders, TestModel
from tests.core.workflows import RefusalWorkflow


@pytest.mark.parametrize(
    ("case", "advice"),
    [
        ("run_sync", "use `await Runner.run(...)`"),
        ("sqlite_session", "use agents_temporal.workflow.WorkflowSession"),
        ("local_shell", "expose it with agents_temporal.workflow.activity_as_tool"),
        ("model_object", "give the model as a name"),
    ],
)
async def test_refused_with_advice(
    case: str, advice: str, temporal_client: Client, task_queue: str
) -> None:
    model = TestModel(lambda: ResponseBuilders.output_message("should not be reached"))
    async with AgentEnvironment(model=model) as env:
        client = env.applied_on_client(temporal_client)
        async with Worker(client, task_queue=task_queue, workflows=[RefusalWorkflow]):
            with pytest.raises(WorkflowFailureError) as failure:
                await client.execute_workflow(
                    RefusalWorkflow.run,
                    case,
                    id=f"refusal-{uuid.uuid4()}",  # noqa: TID251 - test code
                    task_queue=task_queue,
                    execution_timeout=timedelta(seconds=30),
                )
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert advice in cause.message
    assert model.requests == []
