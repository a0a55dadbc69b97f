"""EncryptionCodec: AES-GCM with key ids, rotation, and errors that never show key material."""

from __future__ import annotations

import base64
import os

import pytest
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload

from agent_stack.settings import Settings
from agents_temporal import EncryptionCodec, PayloadDecryptionError
from agents_temporal._payloads.codec import ENCRYPTED_ENCODING, KEY_ID_METADATA

KEY_A = os.urandom(32)
KEY_B = os.urandom(32)
PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=b'"the user\'s secret message"')


def _never_shows(material: bytes, text: str) -> None:
    for form in (material.hex(), base64.b64encode(material).decode(), repr(material)):
        assert form not in text


async def test_round_trip_hides_the_data_and_names_the_key() -> None:
    codec = EncryptionCodec({"key-a": KEY_A})
    [sealed] = await codec.encode([PLAIN])
    assert b"secret" not in sealed.SerializeToString()
    assert sealed.metadata["encoding"] == ENCRYPTED_ENCODING
    assert sealed.metadata[KEY_ID_METADATA] == b"key-a"
    assert await codec.decode([sealed]) == [PLAIN]


async def test_rotation_encrypts_with_the_current_key_and_reads_old_ones() -> None:
    old = EncryptionCodec({"key-a": KEY_A})
    rotated = EncryptionCodec({"key-a": KEY_A, "key-b": KEY_B}, current_key_id="key-b")
    [under_a] = await old.encode([PLAIN])
    [under_b] = await rotated.encode([PLAIN])
    assert under_b.metadata[KEY_ID_METADATA] == b"key-b"
    assert await rotated.decode([under_a, under_b]) == [PLAIN, PLAIN]


async def test_a_missing_key_is_named_without_key_material() -> None:
    [under_a] = await EncryptionCodec({"key-a": KEY_A}).encode([PLAIN])
    with pytest.raises(PayloadDecryptionError) as caught:
        await EncryptionCodec({"key-b": KEY_B}).decode([under_a])
    assert caught.value.key_id == "key-a"
    assert "'key-a'" in str(caught.value) and "['key-b']" in str(caught.value)
    _never_shows(KEY_A, str(caught.value))
    _never_shows(KEY_B, str(caught.value))


async def test_a_wrong_key_under_the_same_id_is_named() -> None:
    [sealed] = await EncryptionCodec({"key-a": KEY_A}).encode([PLAIN])
    with pytest.raises(PayloadDecryptionError, match="'key-a' is not the key that encrypted"):
        await EncryptionCodec({"key-a": KEY_B}).decode([sealed])


async def test_altered_ciphertext_or_key_id_fails() -> None:
    codec = EncryptionCodec({"key-a": KEY_A, "key-b": KEY_B})
    [sealed] = await codec.encode([PLAIN])
    flipped = Payload()
    flipped.CopyFrom(sealed)
    flipped.data = sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    swapped = Payload()
    swapped.CopyFrom(sealed)
    swapped.metadata[KEY_ID_METADATA] = b"key-b"
    for altered in (flipped, swapped):
        with pytest.raises(PayloadDecryptionError):
            await codec.decode([altered])


async def test_plain_payloads_pass_through_decode() -> None:
    # Workflows written before encryption was switched on stay readable.
    assert await EncryptionCodec({"key-a": KEY_A}).decode([PLAIN]) == [PLAIN]


def test_bad_configuration_is_refused_by_key_id() -> None:
    with pytest.raises(ValueError, match="'short' is 16 bytes"):
        EncryptionCodec({"short": KEY_A[:16]})
    with pytest.raises(ValueError, match="'nope' is not one of the configured keys"):
        EncryptionCodec({"key-a": KEY_A}, current_key_id="nope")
    with pytest.raises(ValueError, match="at least one key"):
        EncryptionCodec({})
    assert "key-a" in repr(EncryptionCodec({"key-a": KEY_A}))
    _never_shows(KEY_A, repr(EncryptionCodec({"key-a": KEY_A})))


async def test_codec_from_the_worker_settings() -> None:
    raw = f"old:{base64.b64encode(KEY_A).decode()},new:{base64.b64encode(KEY_B).decode()}"
    settings = Settings(payload_encryption_keys=SecretStr(raw), payload_encryption_key_id="new")
    keyring = settings.encryption_keyring()
    assert keyring is not None
    codec = EncryptionCodec.from_keyring(keyring)
    assert (codec.current_key_id, codec.key_ids) == ("new", ("old", "new"))
    [sealed] = await codec.encode([PLAIN])
    assert await EncryptionCodec({"new": KEY_B}).decode([sealed]) == [PLAIN]
