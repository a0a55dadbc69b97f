"""Connecting to Temporal the way every process of a deployment must: same converter, same keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from temporalio.client import Client
from temporalio.converter import DataConverter

from agent_stack._settings import Settings
from agents_temporal import (
    EncryptionCodec,
    LocalStorageDriver,
    S3StorageDriver,
    build_data_converter,
)


class TemporalUnreachableError(RuntimeError):
    """The process could not connect to Temporal."""


def data_converter(settings: Settings) -> DataConverter:
    """The data converter PAYLOAD_STORAGE and PAYLOAD_ENCRYPTION_KEYS ask for.

    The worker, the console and the terminal chat all use it: each must read what the others
    wrote, in history and in the payload store.
    """
    storage: LocalStorageDriver | S3StorageDriver | None = None
    if settings.payload_storage == "local":
        storage = LocalStorageDriver(settings.payload_storage_dir)
    elif settings.payload_storage == "s3":
        assert settings.payload_s3_bucket is not None  # the settings model requires it for s3
        storage = S3StorageDriver(
            settings.payload_s3_bucket,
            prefix=settings.payload_s3_prefix,
            endpoint_url=settings.payload_s3_endpoint_url,
        )
    keyring = settings.encryption_keyring()
    return build_data_converter(
        storage=storage,
        codec=EncryptionCodec.from_keyring(keyring) if keyring is not None else None,
        threshold_bytes=settings.payload_storage_threshold_bytes,
    )


async def connect(settings: Settings, plugins: Sequence[Any] = ()) -> Client:
    """Connect as configured, with a message that says what to do on failure."""
    try:
        return await Client.connect(
            **settings.temporal_connect_options(),
            data_converter=data_converter(settings),
            plugins=list(plugins),
        )
    except Exception as error:  # the SDK raises RuntimeError subclasses of several kinds
        raise TemporalUnreachableError(
            f"Temporal is not reachable at {settings.temporal_address!r} "
            f"(namespace {settings.temporal_namespace!r}): {error}. Start it with `uv run dev` "
            "or set TEMPORAL_ADDRESS"
        ) from error
