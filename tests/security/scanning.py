"""Finding secrets and plaintext where they must not be: histories, payload stores, log lines."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload

from agents_temporal import EncryptionCodec


def secret_forms(secret: bytes) -> list[bytes]:
    """Ways ``secret`` could show up: as is, hex, base64 (at any alignment), repr."""
    forms = [
        secret,
        secret.hex().encode(),
        secret.hex().upper().encode(),
        repr(secret).encode(),
        base64.b64encode(secret),
        base64.urlsafe_b64encode(secret),
    ]
    # Inside longer base64 text (a payload's bytes in history JSON) the secret's characters
    # depend on where it starts modulo 3; the middle of each shifted encoding is fixed.
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + secret).rstrip(b"=")
        forms.append(encoded[4:-4] if shift else encoded[:-4])
    return [form for form in forms if len(form) >= 12]


def secrets_in(blob: bytes, secrets: Mapping[str, bytes]) -> list[str]:
    """The names of the secrets that appear in ``blob`` in any of their forms."""
    return [name for name, value in secrets.items() if any(f in blob for f in secret_forms(value))]


def payloads_in(message: Message, path: str = "") -> Iterator[tuple[str, Payload]]:
    """Every ``Payload`` inside a protobuf message, with the field path that leads to it."""
    if isinstance(message, Payload):
        yield path, message
        return
    for field, value in message.ListFields():
        if field.type != FieldDescriptor.TYPE_MESSAGE:
            continue
        where = f"{path}.{field.name}"
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            for key, entry in value.items():
                if isinstance(entry, Message):
                    yield from payloads_in(entry, f"{where}[{key}]")
        elif isinstance(value, Message):
            yield from payloads_in(value, where)
        else:  # a repeated field
            for index, item in enumerate(value):
                yield from payloads_in(item, f"{where}[{index}]")


def stored_payloads(directory: Path) -> list[tuple[Path, bytes]]:
    """Every file of a local payload store, with its bytes."""
    return [
        (path, path.read_bytes())
        for path in sorted(directory.rglob("*"))
        if path.is_file() and not path.name.startswith(".tmp-")
    ]


def opened(payload: Payload, codec: EncryptionCodec) -> bytes:
    """A payload's bytes as its readers see them: decrypted when it was encrypted."""
    return codec.decrypt(payload).SerializeToString()


class LogRecorder(logging.Handler):
    """Keeps every log record of the process as text: message, exception, and extra fields."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Extra fields (such as the activity and workflow details Temporal attaches) are part
        # of what a log shipper would send, so they are scanned too.
        self.lines.append(f"{self.format(record)} {record.__dict__!r}")
