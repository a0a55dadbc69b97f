"""The worker's settings give the payload codec its keys: rotation by key id."""

from __future__ import annotations

import base64
import os

from pydantic import SecretStr
from temporalio.api.common.v1 import Payload

from agent_stack.settings import Settings
from agents_temporal import EncryptionCodec

KEY_A = os.urandom(32)
KEY_B = os.urandom(32)
PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=b'"the user\'s secret message"')


async def test_codec_from_the_worker_settings() -> None:
    raw = f"old:{base64.b64encode(KEY_A).decode()},new:{base64.b64encode(KEY_B).decode()}"
    settings = Settings(payload_encryption_keys=SecretStr(raw), payload_encryption_key_id="new")
    keyring = settings.encryption_keyring()
    assert keyring is not None
    codec = EncryptionCodec.from_keyring(keyring)
    assert (codec.current_key_id, codec.key_ids) == ("new", ("old", "new"))
    [sealed] = await codec.encode([PLAIN])
    assert await EncryptionCodec({"new": KEY_B}).decode([sealed]) == [PLAIN]
