"""Workers skip the Temporal SDK's payload passes that have nothing to do, and only those.

Without a codec or payload storage an activation and its completion must come out exactly as
the SDK's own passes leave them, a stored payload must still be refused with the SDK's error,
and with a codec every payload must still go through it.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.client import Client
from temporalio.converter import DataConverter, PayloadCodec
from temporalio.worker import Worker

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal._payloads import idle_passes
from agents_temporal._plugin import _FastContextInstance  # pyright: ignore[reportPrivateUsage]
from tests.core.determinism_workflows import ChangesCommandsBefore, first_step

_SDK_DECODE = idle_passes._SDK_DECODE  # pyright: ignore[reportPrivateUsage]
_SDK_ENCODE = idle_passes._SDK_ENCODE  # pyright: ignore[reportPrivateUsage]
_STORED_PAYLOAD_ERROR = "TMPRL1105"


def _payload(text: str, **metadata: bytes) -> Payload:
    return Payload(metadata={"encoding": b"json/plain", **metadata}, data=f'"{text}"'.encode())


def _activation(result: Payload) -> WorkflowActivation:
    """An activation resolving activity 1 with ``result``, and a signal with two arguments."""
    activation = WorkflowActivation(run_id="run")
    resolve = activation.jobs.add().resolve_activity
    resolve.seq = 1
    resolve.result.completed.result.CopyFrom(result)
    signal = activation.jobs.add().signal_workflow
    signal.signal_name = "nudge"
    signal.input.extend([_payload("ab"), _payload("cd")])
    signal.headers["h"].CopyFrom(_payload("header"))
    return activation


def _completion() -> WorkflowActivationCompletion:
    completion = WorkflowActivationCompletion(run_id="run")
    command = completion.successful.commands.add().schedule_activity
    command.seq = 1
    command.activity_type = "first_step"
    command.arguments.extend([_payload("one"), _payload("two")])
    command.headers["h"].CopyFrom(_payload("header"))
    return completion


class _Reversing(PayloadCodec):
    """Reverses each payload's data: encoded payloads are easy to tell from plain ones."""

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [Payload(metadata=p.metadata, data=p.data[::-1]) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return await self.encode(payloads)


async def test_without_codec_or_storage_an_activation_comes_out_as_the_sdks_passes_leave_it() -> (
    None
):
    ours, sdks = _activation(_payload("result")), _activation(_payload("result"))
    await idle_passes.decode_activation(ours, DataConverter.default, True, 1)
    await _SDK_DECODE(sdks, DataConverter.default, True, 1)
    assert ours == sdks == _activation(_payload("result"))

    ours_done, sdks_done = _completion(), _completion()
    await idle_passes.encode_completion(ours_done, DataConverter.default, True, 1)
    await _SDK_ENCODE(sdks_done, DataConverter.default, True, 1)
    assert ours_done == sdks_done == _completion()


@pytest.mark.parametrize(
    "stored",
    [
        _payload("ref", encoding=b"json/external-storage-reference"),
        # A reference written by a worker whose codec encoded it carries only the marker.
        _payload("ref", __temporal_external_storage_reference=b"true"),
    ],
    ids=["reference", "encoded reference"],
)
async def test_a_stored_payload_is_still_refused_without_storage(stored: Payload) -> None:
    with pytest.raises(RuntimeError, match=_STORED_PAYLOAD_ERROR) as ours:
        await idle_passes.decode_activation(_activation(stored), DataConverter.default, True, 1)
    with pytest.raises(RuntimeError, match=_STORED_PAYLOAD_ERROR) as sdks:
        await _SDK_DECODE(_activation(stored), DataConverter.default, True, 1)
    assert str(ours.value) == str(sdks.value)


async def test_with_a_codec_every_payload_still_goes_through_it() -> None:
    converter = dataclasses.replace(DataConverter.default, payload_codec=_Reversing())
    assert not idle_passes.has_idle_passes(converter)

    completion = _completion()
    await idle_passes.encode_completion(completion, converter, True, 1)
    command = completion.successful.commands[0].schedule_activity
    assert [p.data for p in command.arguments] == [b'"eno"', b'"owt"']
    assert command.headers["h"].data == b'"redaeh"'

    activation = _activation(_payload("result"))
    await idle_passes.decode_activation(activation, converter, True, 1)
    assert activation.jobs[0].resolve_activity.result.completed.result.data == b'"tluser"'
    signal = activation.jobs[1].signal_workflow
    assert [p.data for p in signal.input] == [b'"ba"', b'"dc"']
    assert signal.headers["h"].data == b'"redaeh"'


@pytest.fixture
def context_lookups(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """The serialization contexts the worker asks plugin-run workflow instances for."""
    lookups: list[object] = []
    original = _FastContextInstance.get_serialization_context

    def recording(self: Any, command_info: Any) -> Any:
        lookups.append(command_info)
        return original(self, command_info)

    monkeypatch.setattr(_FastContextInstance, "get_serialization_context", recording)
    yield lookups


@pytest.mark.parametrize("codec", [None, _Reversing()], ids=["plain", "codec"])
async def test_a_worker_walks_payloads_only_when_a_codec_or_storage_needs_it(
    temporal_client: Client,
    task_queue: str,
    context_lookups: list[object],
    codec: PayloadCodec | None,
) -> None:
    config = temporal_client.config()
    config["data_converter"] = dataclasses.replace(
        temporal_client.data_converter, payload_codec=codec
    )
    config["plugins"] = [OpenAIAgentsPlugin()]
    client = Client(**config)
    async with Worker(
        client, task_queue=task_queue, workflows=[ChangesCommandsBefore], activities=[first_step]
    ):
        result = await client.execute_workflow(
            ChangesCommandsBefore.run,
            "value",
            id=f"idle-passes-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=task_queue,
        )
    assert result == "value"
    # Each of the SDK's passes asks the instance for the context of every payload it visits.
    assert bool(context_lookups) == (codec is not None)
