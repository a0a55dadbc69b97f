"""Secrets stay out of history and logs; payloads are ciphertext in history and in the store.

One support conversation runs through the worker's own run loop with every secret setting
configured (see ``secure_stack``); the tests then read what it left: each run's history as the
Temporal server holds it (fetched without the codec), the payload store's files, every log
record of the process and what the worker printed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload
from temporalio.testing import WorkflowEnvironment

from agents_temporal._payloads.codec import ENCRYPTED_ENCODING, KEY_ID_METADATA
from agents_temporal.testing import OpenAICompatibleServer
from tests.security.scanning import (
    opened,
    payloads_in,
    secret_forms,
    secrets_in,
    stored_payloads,
)
from tests.security.secure_stack import REPLIES, SecureRun, secure_run

REFERENCE_TYPE = b"temporal.api.sdk.v1.ExternalStorageReference"


def is_reference(payload: Payload) -> bool:
    """Whether a payload only names where Temporal's external storage put the real one."""
    return payload.metadata.get("messageType") == REFERENCE_TYPE


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAICompatibleServer]:
    with OpenAICompatibleServer(responder=REPLIES) as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def run(
    temporal_env: WorkflowEnvironment,
    tmp_path_factory: pytest.TempPathFactory,
    server: OpenAICompatibleServer,
) -> AsyncIterator[SecureRun]:
    async with secure_run(temporal_env, tmp_path_factory.mktemp("secure"), server) as run:
        yield run


def history_payloads(run: SecureRun) -> list[tuple[str, Payload]]:
    return [
        (f"run {i} event {event.event_id}{path}", payload)
        for i, history in enumerate(run.histories)
        for event in history.events
        for path, payload in payloads_in(event)
    ]


def test_the_secrets_were_in_use(run: SecureRun) -> None:
    # Otherwise finding none of them would prove nothing.
    api_key = run.secrets["OPENAI_API_KEY"].decode()
    assert run.authorizations and set(run.authorizations) == {f"Bearer {api_key}"}
    assert len(run.histories) >= 2, "the conversation continued as new"
    assert "encrypted with key 'k1'" in run.worker_output
    payloads = [payload for _, payload in history_payloads(run)]
    assert any(p.metadata.get("encoding") == ENCRYPTED_ENCODING for p in payloads)
    assert any(is_reference(p) for p in payloads), "some payloads went to the store"
    assert run.logs, "log records were captured"


def test_no_secret_in_any_history(run: SecureRun) -> None:
    for i, history in enumerate(run.histories):
        assert secrets_in(history.to_json().encode(), run.secrets) == [], f"run {i}"
    # Opened with the key, as any reader of the conversation sees them.
    for where, payload in history_payloads(run):
        assert secrets_in(opened(payload, run.codec), run.secrets) == [], where
    for path, blob in stored_payloads(run.store):
        assert secrets_in(blob, run.secrets) == [], path
        assert secrets_in(opened(Payload.FromString(blob), run.codec), run.secrets) == [], path


def test_no_secret_in_any_log_line(run: SecureRun) -> None:
    leaks = [line[:300] for line in run.logs if secrets_in(line.encode(), run.secrets)]
    assert leaks == []
    assert secrets_in(run.worker_output.encode(), run.secrets) == []


def _plain_by_design(where: str) -> bool:
    # Temporal never puts these through the codec: headers (our trace context) and the data
    # of a local activity's marker (its sequence number, attempt, type and times; the result
    # sits beside it, encrypted). Neither holds conversation data, which the next test checks.
    # A version marker's patch data, and the TemporalChangeVersion search attribute the SDK
    # sets beside it, hold only patch ids (workflow.patched).
    return (
        ".header." in where
        or ".marker_recorded_event_attributes.details[data]." in where
        or ".marker_recorded_event_attributes.details[patch-data]." in where
        or "indexed_fields[TemporalChangeVersion]" in where
    )


def test_history_payloads_are_ciphertext(run: SecureRun) -> None:
    checked = 0
    for where, payload in history_payloads(run):
        if _plain_by_design(where):
            assert payload.metadata.get("encoding") != ENCRYPTED_ENCODING, where
        elif is_reference(payload):
            # Only a key and a digest: the payload itself is in the store (checked below).
            assert payload.metadata["encoding"] == b"json/protobuf", where
        else:
            assert payload.metadata.get("encoding") == ENCRYPTED_ENCODING, (where, payload)
            assert payload.metadata[KEY_ID_METADATA] == b"k1", where
            checked += 1
    assert checked >= 20


def test_no_plaintext_without_the_key(run: SecureRun) -> None:
    assert len(run.plaintexts) >= 4, run.plaintexts
    payloads = [payload for _, payload in history_payloads(run)]
    files = [blob for _, blob in stored_payloads(run.store)]
    raw = [h.to_json().encode() for h in run.histories] + files
    raw += [payload.SerializeToString() for payload in payloads]
    readable = [opened(payload, run.codec) for payload in payloads]
    readable += [opened(Payload.FromString(blob), run.codec) for blob in files]
    for text in run.plaintexts:
        # A tool output is JSON text: a plain stretch of it is what is searched for.
        needle = text.encode()[:40]
        assert not any(needle in blob for blob in raw), text
        assert not any(form in blob for form in secret_forms(needle) for blob in raw), text
        # With the key it is there: the search above looked in the right places.
        assert any(needle in blob for blob in readable), text


def test_store_files_are_ciphertext(run: SecureRun) -> None:
    files = stored_payloads(run.store)
    assert files
    for path, blob in files:
        stored = Payload.FromString(blob)
        assert stored.metadata["encoding"] == ENCRYPTED_ENCODING, path
        assert stored.metadata[KEY_ID_METADATA] == b"k1", path


@pytest.mark.parametrize("prefix", [b"", b"x", b"xy", b"xyz"], ids=["at-0", "at-1", "at-2", "at-3"])
def test_the_scanner_finds_a_secret_wherever_it_starts(prefix: bytes) -> None:
    # History JSON shows payload bytes as base64, where a secret's letters depend on its offset.
    api_key, raw_key = b"sk-test-SECRET-0123456789abcdef", bytes(range(32))
    secrets = {"api": api_key, "raw": raw_key}
    for secret in (api_key, raw_key):
        payload = Payload(metadata={"encoding": b"json/plain"}, data=prefix + secret + b"}")
        assert secrets_in(json_format.MessageToJson(payload).encode(), secrets) != []
        assert secrets_in(prefix + secret.hex().encode(), secrets) != []
    assert secrets_in(b"nothing to see " * 10, secrets) == []
