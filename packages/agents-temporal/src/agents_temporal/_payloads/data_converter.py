"""Client and worker: build_data_converter, converter, storage and encryption in one."""

from __future__ import annotations

from collections.abc import Sequence

from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverter,
    DefaultFailureConverterWithEncodedAttributes,
    ExternalStorage,
    PayloadCodec,
    StorageDriver,
    StorageDriverSelectContext,
)

from .converter import AgentsPayloadConverter

DEFAULT_STORAGE_THRESHOLD_BYTES = 64 * 1024
"""Payloads of at least this many bytes go to payload storage by default."""


def build_data_converter(
    *,
    storage: StorageDriver | Sequence[StorageDriver] | None = None,
    codec: PayloadCodec | None = None,
    threshold_bytes: int = DEFAULT_STORAGE_THRESHOLD_BYTES,
    encrypt_failures: bool | None = None,
) -> DataConverter:
    """A data converter for agents, with optional payload storage and encryption.

    Give the result to ``Client.connect(data_converter=...)`` on every worker and client (the
    console too) together with ``OpenAIAgentsPlugin``: they must all read what the others write.
    The codec runs before storage, so the payload store holds ciphertext as history does. With
    storage on, model calls also reference conversation items that earlier calls stored instead
    of resending them, so what a conversation stores grows linearly with its length.

    Args:
        storage: Where payloads of ``threshold_bytes`` or more go (``LocalStorageDriver``,
            ``S3StorageDriver`` or any Temporal ``StorageDriver``); None keeps every payload in
            history. Several drivers: new payloads go to the first, and references written by
            the others stay readable (for moving from one store to another).
        codec: A payload codec, usually ``EncryptionCodec``; None stores plain payloads.
        threshold_bytes: The size from which a payload is stored outside history.
        encrypt_failures: Put failure messages and stack traces through the codec too, so
            history holds no plain text of an error. Defaults to on when a codec is given.

    Returns:
        The data converter.
    """
    if threshold_bytes < 0:
        raise ValueError(f"threshold_bytes must be 0 or more, not {threshold_bytes}")
    if encrypt_failures is None:
        encrypt_failures = codec is not None
    return DataConverter(
        payload_converter_class=AgentsPayloadConverter,
        payload_codec=codec,
        failure_converter_class=(
            DefaultFailureConverterWithEncodedAttributes
            if encrypt_failures
            else DefaultFailureConverter
        ),
        external_storage=_external_storage(storage, threshold_bytes),
    )


def _external_storage(
    storage: StorageDriver | Sequence[StorageDriver] | None, threshold_bytes: int
) -> ExternalStorage | None:
    if storage is None:
        return None
    drivers = [storage] if isinstance(storage, StorageDriver) else list(storage)
    if not drivers:
        return None
    writer = drivers[0]

    def first_driver(_context: StorageDriverSelectContext, _payload: Payload) -> StorageDriver:
        return writer

    return ExternalStorage(
        drivers=drivers,
        driver_selector=first_driver if len(drivers) > 1 else None,
        payload_size_threshold=threshold_bytes,
    )
