"""The per-activation data converter reuses the worker's converters, and is otherwise the SDK's.

`command_converters.create` must give a ``_CommandAwareDataConverter`` that converts payloads and
failures exactly as the one the SDK's ``create`` builds, fill every field the SDK's has, and
fall back to the SDK's for data converters it cannot vouch for.
"""

from __future__ import annotations

import dataclasses
import inspect
import uuid
from collections.abc import Sequence
from typing import Any, cast

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.client import Client
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
    WorkflowSerializationContext,
)
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker
from temporalio.worker._workflow import (
    _CommandAwareDataConverter,  # pyright: ignore[reportPrivateUsage]
)
from temporalio.worker._workflow_instance import WorkflowInstance

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal._payloads import command_converters
from agents_temporal._payloads.converter import AgentsPayloadConverter, with_agents_converter
from agents_temporal._payloads.data_converter import build_data_converter
from tests.core.determinism_workflows import ChangesCommandsBefore, first_step

_SDK_CREATE = command_converters._SDK_CREATE  # pyright: ignore[reportPrivateUsage]
_CONTEXT = WorkflowSerializationContext(namespace="default", workflow_id="wf")
# The instance is only looked up when a payload pass runs; these tests run none.
_INSTANCE = cast("WorkflowInstance", object())


class _Reversing(PayloadCodec):
    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [Payload(metadata=p.metadata, data=p.data[::-1]) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return await self.encode(payloads)


@dataclasses.dataclass(frozen=True)
class _OwnDataConverter(DataConverter):
    """A data converter subclass: it may build its converters its own way."""


_CONVERTERS = {
    "default": DataConverter.default,
    "plugin's": with_agents_converter(None),
    "codec and encrypted failures": build_data_converter(codec=_Reversing()),
    "failures with encoded attributes": dataclasses.replace(
        with_agents_converter(None),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    ),
}


def _both(converter: DataConverter) -> tuple[DataConverter, DataConverter]:
    in_context = converter.with_context(_CONTEXT)
    ours = command_converters.create(_INSTANCE, converter, in_context, _CONTEXT)
    sdks = _SDK_CREATE(_INSTANCE, converter, in_context, _CONTEXT)
    return ours, sdks


def test_it_fills_every_field_of_the_sdks_converter_and_takes_its_arguments() -> None:
    names = {field.name for field in dataclasses.fields(_CommandAwareDataConverter)}
    assert names == command_converters.FILLED_FIELDS
    # The worker passes them by keyword.
    assert list(inspect.signature(command_converters.create).parameters) == list(
        inspect.signature(_SDK_CREATE).parameters
    )


@pytest.mark.parametrize("converter", _CONVERTERS.values(), ids=_CONVERTERS.keys())
def test_it_converts_payloads_and_failures_as_the_sdks_does(converter: DataConverter) -> None:
    ours, sdks = _both(converter)
    assert type(ours) is type(sdks) is _CommandAwareDataConverter
    for field in dataclasses.fields(_CommandAwareDataConverter):
        mine, theirs = getattr(ours, field.name), getattr(sdks, field.name)
        if field.name in {"payload_converter", "failure_converter"}:
            assert type(mine) is type(theirs)
        else:
            assert mine is theirs, field.name

    value: Any = {"text": "héllo", "n": [1, 2.5, None]}
    assert ours.payload_converter.to_payloads([value]) == sdks.payload_converter.to_payloads(
        [value]
    )
    error = ApplicationError("refund refused", {"order": 7}, type="Refused", non_retryable=True)
    mine_failure, their_failure = Failure(), Failure()
    ours.failure_converter.to_failure(error, ours.payload_converter, mine_failure)
    sdks.failure_converter.to_failure(error, sdks.payload_converter, their_failure)
    assert mine_failure == their_failure
    assert mine_failure.application_failure_info.type == "Refused"


@pytest.mark.parametrize("converter", _CONVERTERS.values(), ids=_CONVERTERS.keys())
def test_it_builds_no_converter_of_its_own(converter: DataConverter) -> None:
    ours, sdks = _both(converter)
    assert ours.payload_converter is converter.payload_converter
    assert ours.failure_converter is converter.failure_converter
    # What the replacement saves: the SDK's builds both again for every activation.
    assert sdks.payload_converter is not converter.payload_converter


def test_a_data_converter_subclass_gets_the_sdks_create() -> None:
    converter = _OwnDataConverter(payload_converter_class=AgentsPayloadConverter)
    ours = command_converters.create(_INSTANCE, converter, converter, _CONTEXT)
    assert ours.payload_converter is not converter.payload_converter
    assert type(ours.payload_converter) is type(converter.payload_converter)


def test_plugin_converters_share_one_list_of_encoding_converters_but_not_the_mapping() -> None:
    first, second = AgentsPayloadConverter(), AgentsPayloadConverter()
    assert first.converters == second.converters
    assert first.converters is not second.converters
    assert list(first.converters) == [
        b"binary/null",
        b"binary/plain",
        b"json/protobuf",
        b"binary/protobuf",
        b"json/plain",
    ]


async def test_plugin_workers_use_it_and_still_run_workflows(
    temporal_client: Client, task_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[_CommandAwareDataConverter] = []
    create = command_converters.create

    def recording(**kwargs: Any) -> _CommandAwareDataConverter:
        made.append(create(**kwargs))
        return made[-1]

    # The worker installs `create` when it starts; afterwards the SDK's class gets back
    # whichever it had before this test.
    monkeypatch.setattr(_CommandAwareDataConverter, "create", staticmethod(_SDK_CREATE))
    monkeypatch.setattr(command_converters, "create", recording)
    config = temporal_client.config()
    config["plugins"] = [OpenAIAgentsPlugin()]
    client = Client(**config)
    async with Worker(
        client, task_queue=task_queue, workflows=[ChangesCommandsBefore], activities=[first_step]
    ):
        result = await client.execute_workflow(
            ChangesCommandsBefore.run,
            "value",
            id=f"command-converters-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=task_queue,
        )
    assert result == "value"
    assert made
    assert all(c.payload_converter is client.data_converter.payload_converter for c in made)
