"""Client and worker: EncryptionCodec, AES-256-GCM payload encryption with key rotation."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCRYPTED_ENCODING = b"binary/encrypted"
"""The ``encoding`` metadata of a payload this codec encrypted."""

KEY_ID_METADATA = "encryption-key-id"
"""Metadata naming the key that encrypted a payload (an id, never key material)."""

CIPHER_METADATA = "encryption-cipher"
"""Metadata naming the cipher, so a future format can be told apart."""

_CIPHER = b"AES-256-GCM"
_KEY_BYTES = 32
_NONCE_BYTES = 12
# Binding the key id into the authentication tag means a payload whose key-id metadata was
# swapped fails to decrypt instead of being read with the wrong key.
_AAD_PREFIX = b"agents_temporal.EncryptionCodec/v1:"


class Keyring(Protocol):
    """Anything holding encryption keys by id and naming the current one.

    ``agent_stack.settings.Settings.encryption_keyring()`` returns such an object.
    """

    @property
    def current_key_id(self) -> str:
        """The id of the key that encrypts new payloads."""
        ...

    @property
    def keys(self) -> Mapping[str, bytes]:
        """Every key by id; keys other than the current one still decrypt."""
        ...


class PayloadDecryptionError(ValueError):
    """A payload could not be decrypted: its key is not configured, or it does not match.

    Attributes:
        key_id: The id of the key the payload says it was encrypted with.
    """

    def __init__(self, message: str, key_id: str) -> None:
        super().__init__(message)
        self.key_id = key_id


class EncryptionCodec(PayloadCodec):
    """Encrypts every payload with AES-256-GCM, so Temporal and the payload store see ciphertext.

    Each encrypted payload names its key id in plain metadata. New payloads are encrypted with
    the current key; payloads are decrypted with whichever configured key they name, so keys can
    be rotated: make a new key current and keep the old ones configured until no open workflow
    (and no retained history you still read) uses them.

    Payloads that are not encrypted pass through ``decode`` unchanged, so encryption can be
    switched on for a deployment whose older workflows were written in plain text.

    Args:
        keys: 32-byte keys by id. Ids are not secret; keys are.
        current_key_id: The key that encrypts new payloads; defaults to the first key.

    Raises:
        ValueError: No keys, a key that is not 32 bytes, an empty key id, or a current key id
            that is not among the keys. The message names the key id, never key material.
    """

    def __init__(self, keys: Mapping[str, bytes], current_key_id: str | None = None) -> None:
        if not keys:
            raise ValueError("EncryptionCodec needs at least one key")
        ciphers: dict[str, AESGCM] = {}
        for key_id, key in keys.items():
            if not key_id:
                raise ValueError("EncryptionCodec key ids must not be empty")
            if len(key) != _KEY_BYTES:
                raise ValueError(
                    f"Encryption key {key_id!r} is {len(key)} bytes; AES-256-GCM needs exactly "
                    f"{_KEY_BYTES} random bytes (e.g. base64 of `openssl rand 32`)"
                )
            ciphers[key_id] = AESGCM(bytes(key))
        current = current_key_id if current_key_id is not None else next(iter(keys))
        if current not in ciphers:
            raise ValueError(
                f"The current encryption key id {current!r} is not one of the configured keys "
                f"{list(ciphers)!r}"
            )
        self._ciphers = ciphers
        self._current_key_id = current

    @classmethod
    def from_keyring(cls, keyring: Keyring) -> EncryptionCodec:
        """A codec for a keyring, such as the one the worker settings build.

        Args:
            keyring: Keys by id and the current key id.
        """
        return cls(keyring.keys, keyring.current_key_id)

    @property
    def current_key_id(self) -> str:
        """The id of the key that encrypts new payloads."""
        return self._current_key_id

    @property
    def key_ids(self) -> tuple[str, ...]:
        """Every configured key id, in configuration order."""
        return tuple(self._ciphers)

    def __repr__(self) -> str:
        return f"EncryptionCodec(current_key_id={self._current_key_id!r}, key_ids={self.key_ids!r})"

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Encrypt each payload with the current key."""
        return [self.encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Decrypt each encrypted payload; pass the others through.

        Raises:
            PayloadDecryptionError: A payload names a key that is not configured, or the key
                does not decrypt it.
        """
        return [self.decrypt(payload) for payload in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        """Encrypt one payload with the current key."""
        key_id = self._current_key_id
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(
            nonce, payload.SerializeToString(), _AAD_PREFIX + key_id.encode()
        )
        return Payload(
            metadata={
                "encoding": ENCRYPTED_ENCODING,
                KEY_ID_METADATA: key_id.encode(),
                CIPHER_METADATA: _CIPHER,
            },
            data=nonce + sealed,
        )

    def decrypt(self, payload: Payload) -> Payload:
        """Decrypt one payload, or return it unchanged when it is not encrypted."""
        if payload.metadata.get("encoding") != ENCRYPTED_ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise PayloadDecryptionError(
                f"A payload was encrypted with key {key_id!r}, which is not configured here "
                f"(configured key ids: {list(self._ciphers)!r}): add key {key_id!r} to the "
                "payload encryption keys (PAYLOAD_ENCRYPTION_KEYS) of every worker and client "
                "that reads this workflow",
                key_id,
            )
        cipher_name = payload.metadata.get(CIPHER_METADATA, _CIPHER)
        if cipher_name != _CIPHER:
            raise PayloadDecryptionError(
                f"A payload encrypted with key {key_id!r} uses cipher "
                f"{cipher_name.decode(errors='replace')!r}, which this codec cannot read",
                key_id,
            )
        data = payload.data
        try:
            plain = cipher.decrypt(
                data[:_NONCE_BYTES], data[_NONCE_BYTES:], _AAD_PREFIX + key_id.encode()
            )
        # ValueError: the data is too short to hold a nonce (cut off or altered).
        except (InvalidTag, ValueError):
            raise PayloadDecryptionError(
                f"A payload encrypted with key {key_id!r} could not be decrypted: the key "
                f"configured as {key_id!r} is not the key that encrypted it, or the payload was "
                "altered. Check that every worker and client has the same key under that id",
                key_id,
            ) from None
        return Payload.FromString(plain)
