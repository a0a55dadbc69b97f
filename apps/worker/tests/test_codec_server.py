"""`worker codec-server`: the Temporal Web UI's codec endpoint, over real HTTP."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import io
import json
import os
import socket
import subprocess
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.client import Client
from temporalio.converter import default
from temporalio.testing import WorkflowEnvironment

from agent_stack.settings import Settings
from agent_worker._codec_server import serve_codec
from agent_worker.cli import main
from agents_temporal import EncryptionCodec
from agents_temporal.testing import temporal_cli_path

KEY = os.urandom(32)
OTHER_KEY = os.urandom(32)
UI = "http://localhost:8233"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def settings(port: int, **extra: Any) -> Settings:
    return Settings(
        **dict[str, Any](
            PAYLOAD_ENCRYPTION_KEYS=f"k1:{base64.b64encode(KEY).decode()}",
            CODEC_SERVER_PORT=port,
            TEMPORAL_UI_URL=UI,
            _env_file=None,
            **extra,
        )
    )


async def serving(config: Settings) -> AsyncGenerator[str]:
    stop, ready, out = asyncio.Event(), asyncio.Event(), io.StringIO()
    task = asyncio.create_task(serve_codec(config, stop=stop, ready=ready, out=out))
    await asyncio.wait({task, asyncio.create_task(ready.wait())}, return_when="FIRST_COMPLETED")
    if task.done():
        task.result()
    assert "codec server listening" in out.getvalue()
    try:
        yield f"http://127.0.0.1:{config.codec_server_port}"
    finally:
        stop.set()
        await task


@pytest.fixture
async def codec_url() -> AsyncGenerator[str]:
    async for url in serving(settings(free_port())):
        yield url


def body(payloads: list[Payload]) -> str:
    return json_format.MessageToJson(Payloads(payloads=payloads))


def read(text: str) -> list[Payload]:
    return list(json_format.Parse(text, Payloads()).payloads)


async def test_decodes_what_the_worker_encrypted(codec_url: str) -> None:
    plain = default().payload_converter.to_payloads(["refund ORD-10017", {"amount": 150}])
    encrypted = await EncryptionCodec({"k1": KEY}).encode(plain)
    assert b"ORD-10017" not in encrypted[0].data
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{codec_url}/decode", data=body(encrypted)) as response:
            assert response.status == 200
            assert read(await response.text()) == plain
        async with http.post(f"{codec_url}/encode", data=body(plain)) as response:
            assert response.status == 200
            again = read(await response.text())
    assert again[0].metadata["encryption-key-id"] == b"k1"
    assert await EncryptionCodec({"k1": KEY}).decode(again) == plain


async def test_answers_browsers_from_the_web_ui_only(codec_url: str) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-namespace",
    }
    async with aiohttp.ClientSession() as http:
        async with http.options(
            f"{codec_url}/decode", headers={"Origin": UI, **preflight}
        ) as response:
            assert response.status == 204
            assert response.headers["Access-Control-Allow-Origin"] == UI
            assert "X-Namespace" in response.headers["Access-Control-Allow-Headers"]
        async with http.options(
            f"{codec_url}/decode", headers={"Origin": "http://evil.example", **preflight}
        ) as response:
            assert "Access-Control-Allow-Origin" not in response.headers


async def test_bad_requests_get_a_message(codec_url: str) -> None:
    stranger = await EncryptionCodec({"k9": OTHER_KEY}).encode(
        default().payload_converter.to_payloads(["secret"])
    )
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{codec_url}/decode", data="not json") as response:
            assert response.status == 400
            assert '{"payloads": [...]}' in (await response.json())["message"]
        async with http.post(f"{codec_url}/decode", data=body(stranger)) as response:
            assert response.status == 400
            assert "k9" in (await response.json())["message"]


async def test_a_token_is_required_when_set() -> None:
    config = settings(free_port(), CODEC_SERVER_TOKEN="s3cret-token")
    plain = default().payload_converter.to_payloads(["hello"])
    async for url in serving(config):
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{url}/encode", data=body(plain)) as response:
                assert response.status == 401
                assert "CODEC_SERVER_TOKEN" in (await response.json())["message"]
            async with http.post(
                f"{url}/encode",
                data=body(plain),
                headers={"Authorization": "Bearer s3cret-token"},
            ) as response:
                assert response.status == 200


def test_cli_refuses_without_keys_or_with_a_taken_port(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PAYLOAD_ENCRYPTION_KEYS", raising=False)
    assert main(["codec-server"]) == 2
    assert "PAYLOAD_ENCRYPTION_KEYS is not set" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setenv("PAYLOAD_ENCRYPTION_KEYS", f"k1:{base64.b64encode(KEY).decode()}")
        monkeypatch.setenv("CODEC_SERVER_PORT", str(taken.getsockname()[1]))
        assert main(["codec-server"]) == 2
    assert "set CODEC_SERVER_PORT to a free port" in capsys.readouterr().err


async def test_the_temporal_cli_reads_encrypted_history_through_it(
    temporal_env: WorkflowEnvironment, task_queue: str
) -> None:
    config = temporal_env.client.config()
    config["data_converter"] = dataclasses.replace(
        default(), payload_codec=EncryptionCodec({"k1": KEY})
    )
    client = Client(**config)
    workflow_id = f"codec-{task_queue}"
    # No worker: the start event alone holds the encrypted input.
    await client.start_workflow(
        "NotServed", "refund ORD-10017", id=workflow_id, task_queue=task_queue
    )
    address = temporal_env.client.service_client.config.target_host
    show = [temporal_cli_path(), "workflow", "show", "-w", workflow_id, "--output", "json"]
    show += ["--address", address]
    plain: subprocess.CompletedProcess[str] | None = None
    async for url in serving(settings(free_port(), CODEC_SERVER_TOKEN="cli-token")):
        plain = await asyncio.to_thread(
            subprocess.run,
            [*show, "--codec-endpoint", url, "--codec-auth", "Bearer cli-token"],
            capture_output=True,
            text=True,
            check=True,
        )
    raw = await asyncio.to_thread(subprocess.run, show, capture_output=True, text=True, check=True)
    assert plain is not None
    started = json.loads(plain.stdout)["events"][0]["workflowExecutionStartedEventAttributes"]
    payload = started["input"]["payloads"][0]
    assert base64.b64decode(payload["data"]) == b'"refund ORD-10017"'
    assert "refund ORD-10017" not in raw.stdout
    assert base64.b64encode(b"binary/encrypted").decode() in raw.stdout
