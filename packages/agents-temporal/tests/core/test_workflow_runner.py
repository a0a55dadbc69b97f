"""The plugin's sandboxed runner answers serialization-context lookups without the sandbox swap.

Payload codecs and converters that implement ``WithSerializationContext`` must still see the
context of the command each payload belongs to, exactly as with Temporal's own runner.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator, Sequence
from typing import Any, Self

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.converter import (
    ActivitySerializationContext,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
    WorkflowSerializationContext,
)
from temporalio.worker import UnsandboxedWorkflowRunner, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox._runner import (
    _Instance,  # pyright: ignore[reportPrivateUsage]
)

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal._plugin import FastContextSandboxedWorkflowRunner
from tests.core.determinism_workflows import ChangesCommandsBefore, first_step


@dataclasses.dataclass(frozen=True)
class _Encoded:
    context: SerializationContext | None
    data: bytes


class _RecordingCodec(PayloadCodec, WithSerializationContext):
    """Leaves payloads as they are and records the context each was encoded in."""

    def __init__(
        self, log: list[_Encoded] | None = None, context: SerializationContext | None = None
    ) -> None:
        self.log: list[_Encoded] = [] if log is None else log
        self.context = context

    def with_context(self, context: SerializationContext) -> Self:
        return type(self)(self.log, context)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        self.log.extend(_Encoded(self.context, payload.data) for payload in payloads)
        return list(payloads)

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return list(payloads)


@pytest.fixture
def sandbox_exec_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The code every sandboxed instance runs through the sandbox's ``exec``."""
    calls: list[str] = []
    original = _Instance._run_code  # pyright: ignore[reportPrivateUsage]

    def recording(self: Any, code: str, **extra_globals: Any) -> None:
        calls.append(code)
        original(self, code, **extra_globals)

    monkeypatch.setattr(_Instance, "_run_code", recording)
    yield calls


async def test_payloads_are_encoded_in_their_commands_context(
    temporal_client: Client, task_queue: str, sandbox_exec_calls: list[str]
) -> None:
    codec = _RecordingCodec()
    config = temporal_client.config()
    config["data_converter"] = dataclasses.replace(
        temporal_client.data_converter, payload_codec=codec
    )
    config["plugins"] = [OpenAIAgentsPlugin()]
    client = Client(**config)
    workflow_id = f"contexts-{uuid.uuid4()}"  # noqa: TID251 - test code
    marker = f"marker-{uuid.uuid4()}"  # noqa: TID251 - test code
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[ChangesCommandsBefore],
        activities=[first_step],
    ):
        result = await client.execute_workflow(
            ChangesCommandsBefore.run, marker, id=workflow_id, task_queue=task_queue
        )
    assert result == marker

    contexts = [entry.context for entry in codec.log if marker.encode() in entry.data]
    activity_input = ActivitySerializationContext(
        namespace=client.namespace,
        workflow_id=workflow_id,
        workflow_type="ChangesCommands",
        activity_type="first_step",
        activity_id="1",
        activity_task_queue=task_queue,
        is_local=False,
    )
    workflow_result = WorkflowSerializationContext(
        namespace=client.namespace, workflow_id=workflow_id
    )
    # The client's start input, the workflow's activity input, the activity's result (on the
    # activity worker), the workflow's result.
    assert activity_input in contexts
    assert workflow_result in contexts
    # Activations still ran in the sandbox; context lookups did not go through it.
    assert any("activate" in code for code in sandbox_exec_calls)
    assert not any("context" in code for code in sandbox_exec_calls)


def _worker_runner(client: Client, **worker_options: Any) -> Any:
    worker = Worker(
        client,
        task_queue=f"not-polled-{uuid.uuid4()}",  # noqa: TID251 - test code
        workflows=[ChangesCommandsBefore],
        **worker_options,
    )
    return worker.config(active_config=True).get("workflow_runner")


async def test_plugin_workers_get_the_fast_runner(temporal_client: Client) -> None:
    config = temporal_client.config()
    config["plugins"] = [OpenAIAgentsPlugin()]
    client = Client(**config)

    runner = _worker_runner(client)
    assert type(runner) is FastContextSandboxedWorkflowRunner
    assert "agents" in runner.restrictions.passthrough_modules


async def test_a_runner_of_the_users_own_is_kept(temporal_client: Client) -> None:
    @dataclasses.dataclass(frozen=True)
    class OwnRunner(SandboxedWorkflowRunner):
        pass

    config = temporal_client.config()
    config["plugins"] = [OpenAIAgentsPlugin()]
    client = Client(**config)

    own = _worker_runner(client, workflow_runner=OwnRunner())
    assert type(own) is OwnRunner
    assert "agents" in own.restrictions.passthrough_modules
    unsandboxed = UnsandboxedWorkflowRunner()
    assert _worker_runner(client, workflow_runner=unsandboxed) is unsandboxed
