"""DNS rebinding: a web page whose own name resolves to 127.0.0.1 cannot use our local servers.

A page served as ``attacker.example`` that rebinds that name to 127.0.0.1 makes the operator's
browser send requests to the console or the codec server as same-origin requests to
``attacker.example``: CORS does not apply, only the ``Host`` header tells them apart. Once, such
a page listed conversations and approved a refund on a login-less ``uv run dev`` console, and
had the codec server decrypt history payloads. Both servers now answer only to their allowed
host names.
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import socket
import sys
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads
from temporalio.converter import default

from agent_stack.settings import Settings
from agent_worker._codec_server import serve_codec
from agents_temporal import EncryptionCodec

KEY = os.urandom(32)
REBOUND = "attacker.example"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def codec_url() -> AsyncGenerator[str]:
    config = Settings(
        **dict[str, Any](
            PAYLOAD_ENCRYPTION_KEYS=f"k1:{base64.b64encode(KEY).decode()}",
            CODEC_SERVER_PORT=free_port(),
            _env_file=None,
        )
    )
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve_codec(config, stop=stop, ready=ready, out=io.StringIO()))
    await asyncio.wait({task, asyncio.create_task(ready.wait())}, return_when="FIRST_COMPLETED")
    if task.done():
        task.result()
    try:
        yield f"http://127.0.0.1:{config.codec_server_port}"
    finally:
        stop.set()
        await task


async def encrypted_body() -> str:
    plain = default().payload_converter.to_payloads(["refund ORD-10017 to 221B Baker Street"])
    encrypted = await EncryptionCodec({"k1": KEY}).encode(plain)
    return json_format.MessageToJson(Payloads(payloads=encrypted))


async def test_the_codec_server_refuses_a_rebound_host(codec_url: str) -> None:
    port = codec_url.rsplit(":", 1)[1]
    body = await encrypted_body()
    async with aiohttp.ClientSession() as http:
        for method in ("POST", "OPTIONS"):
            async with http.request(
                method,
                f"{codec_url}/decode",
                data=body,
                headers={"Host": f"{REBOUND}:{port}", "Origin": f"http://{REBOUND}:{port}"},
            ) as response:
                assert response.status == 421
                text = await response.text()
                assert "Baker" not in text and "CODEC_SERVER_ALLOWED_HOSTS" in text
                assert "Access-Control-Allow-Origin" not in response.headers
        for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
            async with http.post(
                f"{codec_url}/decode", data=body, headers={"Host": host}
            ) as response:
                assert response.status == 200
                decoded = json_format.Parse(await response.text(), Payloads())
                assert b"Baker" in decoded.payloads[0].data


async def test_the_codec_token_check_never_fails_on_odd_headers() -> None:
    config = Settings(
        **dict[str, Any](
            PAYLOAD_ENCRYPTION_KEYS=f"k1:{base64.b64encode(KEY).decode()}",
            CODEC_SERVER_PORT=free_port(),
            CODEC_SERVER_TOKEN="a-token-of-sixteen-plus",
            _env_file=None,
        )
    )
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve_codec(config, stop=stop, ready=ready, out=io.StringIO()))
    await ready.wait()
    url = f"http://127.0.0.1:{config.codec_server_port}/decode"
    body = await encrypted_body()
    try:
        async with aiohttp.ClientSession() as http:
            # Once a 500: hmac refuses non-ASCII text.
            async with http.post(
                url, data=body, headers={"Authorization": "Bearer tökén"}
            ) as response:
                assert response.status == 401
            # The scheme is case-insensitive (RFC 9110).
            async with http.post(
                url, data=body, headers={"Authorization": "bearer a-token-of-sixteen-plus"}
            ) as response:
                assert response.status == 200
    finally:
        stop.set()
        await task


@pytest.fixture
async def console_port(tmp_path: Path, subprocess_env: dict[str, str]) -> AsyncGenerator[int]:
    port = free_port()
    env = {
        k: v
        for k, v in subprocess_env.items()
        if not k.startswith(("CONSOLE_", "STREAMLIT_", "OPENAI_", "TEMPORAL_"))
    }
    # A console with no login on localhost, the `uv run dev` default; Temporal is not needed.
    env.update(TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}", CONSOLE_PORT=str(port))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "agent_console.cli",
        "--address",
        "127.0.0.1",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        async with aiohttp.ClientSession() as http:
            while True:
                assert process.returncode is None, "the console exited"
                try:
                    async with http.get(f"http://127.0.0.1:{port}/_stcore/health") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.2)
        yield port
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=30)


async def open_stream(port: int, host: str) -> int:
    """The HTTP status of the console's WebSocket handshake when addressed as ``host``."""
    headers = {"Host": f"{host}:{port}", "Origin": f"http://{host}:{port}"}
    async with aiohttp.ClientSession() as http:
        try:
            async with http.ws_connect(
                f"ws://127.0.0.1:{port}/_stcore/stream", headers=headers, protocols=("streamlit",)
            ):
                return 101
        except aiohttp.WSServerHandshakeError as error:
            return error.status


async def test_the_console_refuses_a_rebound_host(console_port: int) -> None:
    # Everything the page shows and every button it offers travels over this WebSocket.
    assert await open_stream(console_port, REBOUND) == 403
    assert await open_stream(console_port, "localhost") == 101
    assert await open_stream(console_port, "127.0.0.1") == 101
