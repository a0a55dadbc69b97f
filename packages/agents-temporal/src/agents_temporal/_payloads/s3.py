"""Client and worker: S3StorageDriver, payloads in an S3-compatible bucket."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Protocol, cast

from .storage import BlobStorageDriver, PayloadNotFoundError, PayloadStoreError

_MISSING_KEY_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


class S3Client(Protocol):
    """The part of a boto3 S3 client the driver uses (any object with these methods works)."""

    def put_object(self, *, Bucket: str, Key: str, Body: bytes) -> Any:
        """Store an object."""
        ...

    def get_object(self, *, Bucket: str, Key: str) -> Any:
        """Fetch an object; its ``Body`` has ``read()``."""
        ...

    def list_objects_v2(self, **kwargs: Any) -> Any:
        """List a page of keys."""
        ...


def _error_code(error: Exception) -> str | None:
    # botocore's ClientError carries the service's error code in .response; other clients
    # (and botocore's connection errors) do not.
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = cast(dict[str, Any], response).get("Error", {}).get("Code")
        return str(code) if code is not None else None
    return None


class S3StorageDriver(BlobStorageDriver):
    """Stores payloads in an S3-compatible bucket, for deployments with many workers.

    Credentials and region come from the usual AWS sources (environment variables such as
    ``AWS_ACCESS_KEY_ID``, a profile, or an instance role). Needs ``boto3``: install
    ``agents-temporal[s3]``. Objects are named ``<prefix><namespace>/<workflow id>/...``, so a
    lifecycle rule on the prefix can expire them after the workflows' retention.

    Args:
        bucket: The bucket; it must exist.
        prefix: Key prefix for every object (e.g. ``payloads/``).
        endpoint_url: An S3-compatible endpoint (MinIO, R2, ...); None means AWS S3.
        region_name: The bucket's region; None means the AWS default chain decides.
        client: A ready S3 client (boto3 or compatible); made from the other options when None.
        name: The driver name recorded in workflow history.
        max_concurrency: At most this many S3 requests at once from this driver.
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "payloads/",
        endpoint_url: str | None = None,
        region_name: str | None = None,
        client: S3Client | None = None,
        name: str = "agents_temporal.s3",
        max_concurrency: int = 16,
    ) -> None:
        super().__init__(name)
        if not bucket:
            raise ValueError("S3StorageDriver needs a bucket name (PAYLOAD_S3_BUCKET)")
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        self._region_name = region_name
        self._client = client
        self._client_lock = threading.Lock()
        self._limit = max_concurrency
        self._semaphores: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    def describe(self) -> str:
        """The bucket and endpoint (never credentials)."""
        where = self.endpoint_url or "AWS S3"
        return f"bucket {self.bucket!r} at {where}"

    def _s3(self) -> S3Client:
        # Made on first use, in a worker thread: creating a boto3 client reads configuration
        # files and takes long enough that it should not happen on the event loop.
        with self._client_lock:
            if self._client is None:
                try:
                    import boto3
                except ImportError as error:
                    raise ImportError(
                        "S3StorageDriver needs boto3: install it with "
                        '`pip install "agents-temporal[s3]"`'
                    ) from error
                self._client = cast(
                    S3Client,
                    boto3.client(
                        "s3", endpoint_url=self.endpoint_url, region_name=self._region_name
                    ),
                )
            return self._client

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self._limit)
        return semaphore

    def _failure(self, action: str, key: str, error: Exception) -> PayloadStoreError:
        code = _error_code(error)
        if code in _MISSING_KEY_CODES:
            return PayloadNotFoundError(
                f"Payload {key!r} is missing from {self.describe()}: every worker and client must "
                "use the same bucket and prefix (PAYLOAD_S3_BUCKET, PAYLOAD_S3_PREFIX), and "
                "objects must be kept as long as the workflows that refer to them"
            )
        if code == "NoSuchBucket":
            return PayloadStoreError(
                f"The {self.describe()} does not exist: create it or set PAYLOAD_S3_BUCKET"
            )
        if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
            return PayloadStoreError(
                f"Access to {self.describe()} was denied ({code}) while trying to {action} "
                f"{key!r}: check the worker's AWS credentials and the bucket policy"
            )
        return PayloadStoreError(
            f"Could not {action} {key!r} in {self.describe()}: {type(error).__name__}: {error}"
        )

    async def _call(self, action: str, key: str, fn: Any) -> Any:
        async with self._semaphore():
            try:
                return await asyncio.to_thread(fn)
            except ImportError:
                raise
            except Exception as error:
                raise self._failure(action, key, error) from error

    async def put_blob(self, key: str, data: bytes) -> None:
        """Upload ``data`` as the object for ``key``."""
        await self._call(
            "store",
            key,
            lambda: self._s3().put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data),
        )

    async def get_blob(self, key: str) -> bytes:
        """Download the object for ``key``."""

        def fetch() -> bytes:
            response = self._s3().get_object(Bucket=self.bucket, Key=self.prefix + key)
            return bytes(response["Body"].read())

        return cast(bytes, await self._call("read", key, fetch))

    async def list_blobs(self, prefix: str) -> list[str]:
        """Every key under ``prefix`` (paging through the listing)."""

        def listing() -> list[str]:
            keys: list[str] = []
            arguments: dict[str, Any] = {"Bucket": self.bucket, "Prefix": self.prefix + prefix}
            while True:
                page = self._s3().list_objects_v2(**arguments)
                for entry in page.get("Contents", []):
                    keys.append(str(entry["Key"])[len(self.prefix) :])
                token = page.get("NextContinuationToken")
                if not page.get("IsTruncated") or not token:
                    return keys
                arguments["ContinuationToken"] = token

        return cast(list[str], await self._call("list", prefix, listing))
