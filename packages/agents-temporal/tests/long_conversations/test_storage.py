"""Payload storage drivers and the data converter that uses them."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import io
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    StorageDriverRetrieveContext,
    StorageDriverStoreContext,
    StorageDriverWorkflowInfo,
)

from agents_temporal import (
    AgentsPayloadConverter,
    BlobStorageDriver,
    EncryptionCodec,
    LocalStorageDriver,
    PayloadNotFoundError,
    PayloadStoreError,
    S3StorageDriver,
    build_data_converter,
)
from agents_temporal._payloads.storage import key_segment
from tests.long_conversations.support import all_stored_files, contains

TARGET = StorageDriverStoreContext(
    target=StorageDriverWorkflowInfo(namespace="default", id="chat/../1", run_id="r")
)
BIG = {"text": "a long tool output " * 5_000}
PAYLOAD = Payload(metadata={"encoding": b"json/plain"}, data=b'{"hello": "world"}')


def test_key_segments_cannot_climb_out_of_the_store() -> None:
    assert key_segment("chat/../1") == "chat%2F%2E%2E%2F1"
    assert key_segment("..") == "%2E%2E"
    assert key_segment("") == "_"
    assert key_segment("x" * 500).startswith("h-")


async def _round_trip(driver: BlobStorageDriver) -> None:
    claims = await driver.store(TARGET, [PAYLOAD, PAYLOAD])
    assert claims[0] == claims[1], "content-addressed: the same payload, the same key"
    assert claims[0].claim_data["key"].startswith("default/chat%2F%2E%2E%2F1/payloads/")
    assert await driver.retrieve(StorageDriverRetrieveContext(), claims) == [PAYLOAD, PAYLOAD]
    assert await driver.list_blobs("default/") == [claims[0].claim_data["key"]]


async def test_local_driver_round_trip(tmp_path: Path) -> None:
    driver = LocalStorageDriver(tmp_path)
    await _round_trip(driver)
    assert driver.stored_bytes() == PAYLOAD.ByteSize()


async def test_local_driver_reports_missing_and_damaged_payloads(tmp_path: Path) -> None:
    driver = LocalStorageDriver(tmp_path)
    [claim] = await driver.store(TARGET, [PAYLOAD])
    [file] = all_stored_files(tmp_path)
    file.write_bytes(b"tampered")
    with pytest.raises(PayloadStoreError, match="is damaged"):
        await driver.retrieve(StorageDriverRetrieveContext(), [claim])
    file.unlink()
    with pytest.raises(PayloadNotFoundError, match="PAYLOAD_STORAGE_DIR"):
        await driver.retrieve(StorageDriverRetrieveContext(), [claim])


@pytest.mark.parametrize("encrypted", [True, False])
async def test_data_converter_stores_large_payloads_encrypted(
    encrypted: bool, tmp_path: Path
) -> None:
    codec = EncryptionCodec({"k1": os.urandom(32)}) if encrypted else None
    converter = build_data_converter(storage=LocalStorageDriver(tmp_path), codec=codec)
    assert converter.payload_converter_class is AgentsPayloadConverter
    [small, big] = await converter.encode(["hi", BIG])
    assert small.metadata["encoding"] == (b"binary/encrypted" if encrypted else b"json/plain")
    assert big.external_payloads, "the large payload became a reference"
    assert await converter.decode([small, big], [str, dict]) == ["hi", BIG]
    stored = all_stored_files(tmp_path)
    assert len(stored) == 1
    assert contains(stored, b"a long tool output") is not encrypted


async def test_several_drivers_write_to_the_first_and_read_from_all(tmp_path: Path) -> None:
    old, new = (
        LocalStorageDriver(tmp_path / "old"),
        LocalStorageDriver(tmp_path / "new", name="new"),
    )
    [reference] = await build_data_converter(storage=old).encode([BIG])
    moved = build_data_converter(storage=[new, old])
    assert await moved.decode([reference], [dict]) == [BIG]
    [again] = await moved.encode([BIG])
    assert b'"new"' in again.data
    assert (tmp_path / "new").exists()


class FakeS3:
    """An in-memory stand-in for a boto3 S3 client."""

    class Missing(Exception):
        response = {"Error": {"Code": "NoSuchKey"}}  # noqa: RUF012 - mirrors botocore

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def put_object(self, *, Bucket: str, Key: str, Body: bytes) -> Any:
        self.objects[Bucket, Key] = Body

    def get_object(self, *, Bucket: str, Key: str) -> Any:
        if (Bucket, Key) not in self.objects:
            raise FakeS3.Missing(Key)
        return {"Body": io.BytesIO(self.objects[Bucket, Key])}

    def list_objects_v2(self, **kwargs: Any) -> Any:
        keys = sorted(k for b, k in self.objects if b == kwargs["Bucket"])
        keys = [k for k in keys if k.startswith(kwargs["Prefix"])]
        start = int(kwargs.get("ContinuationToken", 0))
        page = keys[start : start + 1]
        more = start + 1 < len(keys)
        return {
            "Contents": [{"Key": k} for k in page],
            "IsTruncated": more,
            "NextContinuationToken": str(start + 1) if more else None,
        }


async def test_s3_driver_with_a_fake_client() -> None:
    fake = FakeS3()
    driver = S3StorageDriver("bucket", prefix="p/", client=fake)
    await _round_trip(driver)
    await driver.put_blob("default/x/payloads/other", b"2")
    assert len(await driver.list_blobs("default/")) == 2, "pages through the listing"
    assert all(key.startswith("p/") for _, key in fake.objects)
    with pytest.raises(PayloadNotFoundError, match="PAYLOAD_S3_BUCKET"):
        await driver.get_blob("nothing/here")


def test_s3_driver_needs_a_bucket() -> None:
    with pytest.raises(ValueError, match="PAYLOAD_S3_BUCKET"):
        S3StorageDriver("")


_HAS_MOTO = importlib.util.find_spec("moto") is not None


@pytest_asyncio.fixture(loop_scope="session")
async def moto_endpoint() -> AsyncIterator[str]:
    moto_server: Any = importlib.import_module("moto.server")
    server: Any = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    await asyncio.to_thread(server.start)
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        await asyncio.to_thread(server.stop)


@pytest.mark.skipif(
    not _HAS_MOTO,
    reason='moto is not installed: add "moto[server]>=5" to the root dev dependency group',
)
async def test_s3_driver_against_an_s3_compatible_server(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    boto3.client("s3", endpoint_url=moto_endpoint).create_bucket(Bucket="payloads")
    driver = S3StorageDriver("payloads", endpoint_url=moto_endpoint)
    await _round_trip(driver)
    with pytest.raises(PayloadNotFoundError):
        await driver.get_blob("missing")
    with pytest.raises(PayloadStoreError, match="does not exist"):
        await S3StorageDriver("no-such-bucket", endpoint_url=moto_endpoint).get_blob("x")
