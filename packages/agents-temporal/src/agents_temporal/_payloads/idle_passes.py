"""Worker: skips the Temporal SDK's payload passes over activations that have nothing to do.

For every workflow activation the Temporal SDK walks every payload three times before the
workflow sees it (codec-decode stored references, fetch stored payloads, codec-decode), and
three times more over the completion (codec-encode, store large payloads, codec-encode
references). Each walk visits the whole protobuf tree in Python, asks the workflow instance for
each command's serialization context and rewrites every repeated payload field with a copy of
itself. With neither a payload codec nor external storage configured, which is how the plugin
runs by default, each of the six passes changes nothing: the three encode passes return their
input, the codec-decode pass too, and the two storage passes on decode only refuse a stored
payload that this worker could not read.

``install`` wraps the SDK's two functions so that a data converter with neither a codec nor
external storage gets one walk on decode, which raises the SDK's own error on a stored payload,
and none on encode; any other data converter goes through the SDK's passes unchanged. The
wrappers look at the data converter of each call, so they are right for every worker of the
process, the plugin's or not. They rely on private ``temporalio`` names: ``pyproject.toml``
pins ``temporalio`` to a minor series, and ``tests/core/test_idle_passes.py`` checks both paths.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Sequence

import temporalio.bridge.worker
from temporalio.api.common.v1 import Payload
from temporalio.bridge._visitor import PayloadVisitor
from temporalio.bridge._visitor_functions import PayloadSequence, VisitorFunctions
from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.converter import DataConverter
from temporalio.converter._data_converter import (
    _has_reference_marker,  # pyright: ignore[reportPrivateUsage]
    _is_reference_payload,  # pyright: ignore[reportPrivateUsage]
)
from temporalio.converter._extstore import StorageOperationMetrics

_SDK_DECODE = temporalio.bridge.worker.decode_activation
_SDK_ENCODE = temporalio.bridge.worker.encode_completion


def has_idle_passes(data_converter: DataConverter) -> bool:
    """Whether the SDK's payload passes would change nothing for ``data_converter``."""
    return data_converter.payload_codec is None and data_converter.external_storage is None


class _RefuseStoredPayloads(VisitorFunctions):
    """Hands any stored payload to the SDK's own passes, which refuse it without storage."""

    def __init__(self, data_converter: DataConverter) -> None:
        self._data_converter = data_converter

    async def visit_payload(self, payload: Payload) -> None:
        await self._check([payload])

    async def visit_payloads(self, payloads: PayloadSequence) -> None:
        await self._check(payloads)

    async def _check(self, payloads: Sequence[Payload]) -> None:
        if any(_has_reference_marker(p) or _is_reference_payload(p) for p in payloads):
            # Both raise "[TMPRL1105] Detected externally stored payload(s) but external
            # storage is not configured", the message the SDK's passes would give.
            unmarked = await self._data_converter._decode_reference_payload_sequence(payloads)  # pyright: ignore[reportPrivateUsage]
            await self._data_converter._external_retrieve_payload_sequence(unmarked)  # pyright: ignore[reportPrivateUsage]


async def decode_activation(
    activation: WorkflowActivation,
    data_converter: DataConverter,
    decode_headers: bool,
    storage_concurrency_limit: int,
) -> StorageOperationMetrics:
    """``temporalio.bridge.worker.decode_activation``, one check instead of three idle passes."""
    if not has_idle_passes(data_converter):
        return await _SDK_DECODE(
            activation, data_converter, decode_headers, storage_concurrency_limit
        )
    await PayloadVisitor(skip_search_attributes=True, skip_headers=not decode_headers).visit(
        _RefuseStoredPayloads(data_converter), activation
    )
    return StorageOperationMetrics()


async def encode_completion(
    completion: WorkflowActivationCompletion,
    data_converter: DataConverter,
    encode_headers: bool,
    storage_concurrency_limit: int,
) -> StorageOperationMetrics:
    """``temporalio.bridge.worker.encode_completion``, without its three idle passes."""
    if not has_idle_passes(data_converter):
        return await _SDK_ENCODE(
            completion, data_converter, encode_headers, storage_concurrency_limit
        )
    return StorageOperationMetrics()


def install() -> None:
    """Put the wrappers in place of the SDK's functions; calling it again changes nothing."""
    temporalio.bridge.worker.decode_activation = decode_activation
    temporalio.bridge.worker.encode_completion = encode_completion


@contextlib.contextmanager
def sdk_passes() -> Generator[None]:
    """Run the SDK's own passes inside the block (for benchmarks that compare the two)."""
    decode, encode = (
        temporalio.bridge.worker.decode_activation,
        temporalio.bridge.worker.encode_completion,
    )
    temporalio.bridge.worker.decode_activation = _SDK_DECODE
    temporalio.bridge.worker.encode_completion = _SDK_ENCODE
    try:
        yield
    finally:
        temporalio.bridge.worker.decode_activation = decode
        temporalio.bridge.worker.encode_completion = encode
