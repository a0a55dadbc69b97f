"""Encrypted payloads: nothing readable in history or the payload store; keys rotate."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Replayer

from agents_temporal import (
    EncryptionCodec,
    LocalStorageDriver,
    OpenAIAgentsPlugin,
    PayloadDecryptionError,
    build_data_converter,
)
from agents_temporal._payloads.codec import ENCRYPTED_ENCODING, KEY_ID_METADATA
from tests.long_conversations.support import (
    TEST_KEYS,
    agent_worker,
    all_stored_files,
    contains,
    history_bytes,
    payloads_of,
    workflow_id,
)
from tests.long_conversations.workflows import WORKFLOWS, EncryptedChat
from tests.replaying import save_history

KEY_A, KEY_B = TEST_KEYS["key-a"], TEST_KEYS["key-b"]
# Long enough that the chat's inputs pass the size from which model calls reference stored
# conversation segments, so segments are in the store too.
FILLER = " ".join(f"word{i}" for i in range(4000))


@pytest.mark.parametrize("encrypted", [True, False], ids=["codec", "no-codec"])
async def test_history_and_store_hold_no_plaintext(
    encrypted: bool, temporal_client: Client, task_queue: str, tmp_path: Path
) -> None:
    secret = f"SECRET-{uuid.uuid4().hex}"  # noqa: TID251 - test data, not workflow code
    codec = EncryptionCodec({"key-a": KEY_A}) if encrypted else None
    converter = build_data_converter(
        storage=LocalStorageDriver(tmp_path), codec=codec, threshold_bytes=1024
    )
    async with agent_worker(temporal_client, task_queue, data_converter=converter) as client:
        handle = await client.start_workflow(
            EncryptedChat.run,
            f"My card number is {secret}. {FILLER}",
            id=workflow_id("secret"),
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=30),
        )
        answer = await handle.execute_update(EncryptedChat.send, f"Again: {secret}. {FILLER}")
        await handle.signal(EncryptedChat.close)
        answers = await handle.result()
    # Readers with the key see the conversation.
    assert secret in answer
    assert len(answers) == 2

    # A client without the codec fetches the raw history: payload bytes appear there as stored.
    raw = history_bytes(await temporal_client.get_workflow_handle(handle.id).fetch_history())
    files = all_stored_files(tmp_path)
    assert any("segments" in f.parts for f in files), "conversation segments were stored"
    assert any("payloads" in f.parts for f in files), "large payloads were stored"
    readable = secret.encode() in raw or contains(files, secret.encode())
    assert readable is not encrypted


async def _chat(
    client: Client, task_queue: str, first: str
) -> WorkflowHandle[EncryptedChat, list[str]]:
    return await client.start_workflow(
        EncryptedChat.run,
        first,
        id=workflow_id("rotation"),
        task_queue=task_queue,
        execution_timeout=timedelta(seconds=60),
    )


async def test_rotation_keeps_old_conversations_readable(
    temporal_client: Client, task_queue: str, tmp_path: Path
) -> None:
    storage = LocalStorageDriver(tmp_path)
    only_a = build_data_converter(storage=storage, codec=EncryptionCodec({"key-a": KEY_A}))
    rotated = build_data_converter(
        storage=storage, codec=EncryptionCodec({"key-a": KEY_A, "key-b": KEY_B}, "key-b")
    )
    only_b = build_data_converter(storage=storage, codec=EncryptionCodec({"key-b": KEY_B}))

    # Start a conversation under key A, then stop its worker while the conversation is open.
    async with agent_worker(temporal_client, task_queue, data_converter=only_a) as client:
        handle = await _chat(client, task_queue, "first message under key A")
        await handle.execute_update(EncryptedChat.send, "second message under key A")

    # Rotate: B encrypts, A still decrypts. A new worker replays the A-encrypted history.
    async with agent_worker(temporal_client, task_queue, data_converter=rotated) as client:
        handle = client.get_workflow_handle_for(EncryptedChat.run, handle.id)
        await handle.execute_update(EncryptedChat.send, "third message under key B")
        await handle.signal(EncryptedChat.close)
        answers = await handle.result()
        await save_history(handle, "long_encrypted_rotation")
    assert answers == [
        "Noted: first message under key A",
        "Noted: second message under key A",
        "Noted: third message under key B",
    ]

    history = await temporal_client.get_workflow_handle(handle.id).fetch_history()
    encrypted = [p for p in payloads_of(history.events) if p.metadata.get("encoding")]
    key_ids = {p.metadata[KEY_ID_METADATA] for p in encrypted if KEY_ID_METADATA in p.metadata}
    assert key_ids == {b"key-a", b"key-b"}
    assert all(
        p.metadata["encoding"] == ENCRYPTED_ENCODING or p.external_payloads for p in encrypted
    )
    # The whole old history still replays under the rotated keys.
    replayer = Replayer(workflows=WORKFLOWS, plugins=[OpenAIAgentsPlugin()], data_converter=rotated)
    await replayer.replay_workflow(history)

    # Without key A, reading the old payloads fails with a message naming the key id only.
    started = history.events[0].workflow_execution_started_event_attributes.input.payloads
    with pytest.raises(PayloadDecryptionError) as caught:
        await only_b.decode(started)
    message = str(caught.value)
    assert caught.value.key_id == "key-a"
    assert "'key-a'" in message and "PAYLOAD_ENCRYPTION_KEYS" in message
    for material in (KEY_A.hex(), base64.b64encode(KEY_A).decode(), repr(KEY_A)):
        assert material not in message
