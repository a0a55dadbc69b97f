"""Client and worker: payload storage drivers, large payloads outside workflow history.

Both drivers are content-addressed key-value stores behind Temporal's ``StorageDriver`` API.
Keys are grouped by namespace and workflow id (``<ns>/<workflow id>/payloads/<sha256>``), so
an operator can delete what one conversation stored, and the conversation segments that let
model calls reference what was already stored (see ``_storage_segments.py``) sit beside them.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from abc import abstractmethod
from collections.abc import Sequence
from pathlib import Path

from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    StorageDriver,
    StorageDriverActivityInfo,
    StorageDriverClaim,
    StorageDriverRetrieveContext,
    StorageDriverStoreContext,
    StorageDriverWorkflowInfo,
)

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
# Keep every key segment well under the 255-byte file name limit of common file systems.
_MAX_SEGMENT = 120


class PayloadStoreError(RuntimeError):
    """The payload store could not store or return a payload."""


class PayloadNotFoundError(PayloadStoreError):
    """A payload or conversation segment that history refers to is not in the store."""


def key_segment(value: str | None) -> str:
    """One path segment of a store key: ids percent-encoded, never ``.`` or ``..``."""
    if not value:
        return "_"
    encoded = _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), value)
    if len(encoded) > _MAX_SEGMENT:
        return "h-" + hashlib.sha256(value.encode()).hexdigest()[:40]
    return encoded


def scope_key(namespace: str | None, workflow_id: str | None) -> str:
    """The key prefix of everything stored for one workflow."""
    return f"{key_segment(namespace)}/{key_segment(workflow_id)}"


def _target_scope(context: StorageDriverStoreContext) -> str:
    target = context.target
    if isinstance(target, StorageDriverWorkflowInfo):
        return scope_key(target.namespace, target.id)
    if isinstance(target, StorageDriverActivityInfo):
        # A standalone activity: group by its id, as a workflow groups by its own.
        return scope_key(target.namespace, f"activity:{target.id or ''}")
    return scope_key(None, None)


class BlobStorageDriver(StorageDriver):
    """A content-addressed payload store over a key-value blob store.

    Subclasses provide ``put_blob``, ``get_blob`` and ``list_blobs``; this class stores each
    payload under the SHA-256 of its bytes and checks that digest when it reads one back, so a
    damaged or swapped blob is reported instead of being decoded.

    Args:
        name: The driver name recorded in every reference in history. Keep it stable: history
            written with one name is read back through the driver of that name.
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def name(self) -> str:
        """The driver name recorded in workflow history."""
        return self._name

    @abstractmethod
    def describe(self) -> str:
        """Where the blobs live, for error messages (never credentials)."""

    @abstractmethod
    async def put_blob(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key``; keys are content-addressed, so rewriting is harmless."""

    @abstractmethod
    async def get_blob(self, key: str) -> bytes:
        """The bytes under ``key``.

        Raises:
            PayloadNotFoundError: Nothing is stored under ``key``.
        """

    @abstractmethod
    async def list_blobs(self, prefix: str) -> list[str]:
        """Every key that starts with ``prefix``."""

    async def store(
        self, context: StorageDriverStoreContext, payloads: Sequence[Payload]
    ) -> list[StorageDriverClaim]:
        """Store each payload under its SHA-256 digest and return claims naming the keys."""
        scope = _target_scope(context)

        async def one(payload: Payload) -> StorageDriverClaim:
            data = payload.SerializeToString(deterministic=True)
            digest = hashlib.sha256(data).hexdigest()
            key = f"{scope}/payloads/{digest}"
            await self.put_blob(key, data)
            return StorageDriverClaim(claim_data={"key": key, "sha256": digest})

        return list(await asyncio.gather(*(one(p) for p in payloads)))

    async def retrieve(
        self, context: StorageDriverRetrieveContext, claims: Sequence[StorageDriverClaim]
    ) -> list[Payload]:
        """Read each claimed payload back and check its digest."""

        async def one(claim: StorageDriverClaim) -> Payload:
            key = claim.claim_data.get("key")
            if not key:
                raise PayloadStoreError(
                    f"A payload reference for driver {self._name!r} has no key; it was not "
                    "written by this kind of driver"
                )
            data = await self.get_blob(key)
            expected = claim.claim_data.get("sha256")
            if expected and hashlib.sha256(data).hexdigest() != expected:
                raise PayloadStoreError(
                    f"Payload {key!r} in {self.describe()} is damaged: its bytes do not match "
                    "the digest recorded in workflow history"
                )
            return Payload.FromString(data)

        return list(await asyncio.gather(*(one(c) for c in claims)))


class LocalStorageDriver(BlobStorageDriver):
    """Stores payloads as files in a local directory: the embedded default for one machine.

    Every worker and client of a deployment must see the same directory (one machine, or a
    shared volume). Files are written atomically and never rewritten, and each conversation's
    files sit under ``<directory>/<namespace>/<workflow id>/``.

    Args:
        directory: Where payload files go; created when missing.
        name: The driver name recorded in workflow history.
    """

    def __init__(
        self, directory: str | os.PathLike[str], *, name: str = "agents_temporal.local"
    ) -> None:
        super().__init__(name)
        self.directory = Path(directory)

    def describe(self) -> str:
        """Where the payload files live."""
        return f"the payload directory '{self.directory}'"

    def _path(self, key: str) -> Path:
        return self.directory.joinpath(*key.split("/"))

    async def put_blob(self, key: str, data: bytes) -> None:
        """Write ``data`` to the file for ``key`` unless it is already there."""
        await asyncio.to_thread(self._write, self._path(key), data)

    def _write(self, path: Path, data: bytes) -> None:
        if path.exists():
            return
        try:
            self._make_private_dirs(path.parent)
            # Write then rename, so a reader never sees half a payload. mkstemp makes the file
            # readable by its owner only (0600).
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as file:
                    file.write(data)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise PayloadStoreError(
                f"Could not write to {self.describe()}: {error}. Check that the directory "
                "(PAYLOAD_STORAGE_DIR) is writable by the worker"
            ) from error

    def _make_private_dirs(self, directory: Path) -> None:
        # Payloads are conversations (plaintext unless encryption is on): the directories this
        # driver creates are its owner's only (0700), whatever the umask lets others see.
        missing: list[Path] = []
        while not directory.exists():
            missing.append(directory)
            directory = directory.parent
        for created in reversed(missing):
            created.mkdir(mode=0o700, exist_ok=True)
            created.chmod(0o700)

    async def get_blob(self, key: str) -> bytes:
        """The bytes of the file for ``key``."""
        return await asyncio.to_thread(self._read, key)

    def _read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise PayloadNotFoundError(
                f"Payload {key!r} is missing from {self.describe()}: every worker and client "
                "must use the same payload directory (PAYLOAD_STORAGE_DIR), and its files must "
                "be kept as long as the workflows that refer to them"
            ) from None
        except OSError as error:
            raise PayloadStoreError(
                f"Could not read {key!r} from {self.describe()}: {error}"
            ) from error

    async def list_blobs(self, prefix: str) -> list[str]:
        """Every stored key under the folder ``prefix`` names."""
        return await asyncio.to_thread(self._list, prefix)

    def _list(self, prefix: str) -> list[str]:
        folder = self._path(prefix.rstrip("/"))
        if not folder.is_dir():
            return []
        return [
            "/".join(path.relative_to(self.directory).parts)
            for path in folder.rglob("*")
            if path.is_file() and not path.name.startswith(".tmp-")
        ]

    def stored_bytes(self) -> int:
        """How many bytes the directory's payload files hold (for benchmarks and operators)."""
        return sum(
            path.stat().st_size
            for path in self.directory.rglob("*")
            if path.is_file() and not path.name.startswith(".tmp-")
        )
