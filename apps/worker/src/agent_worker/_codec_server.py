"""A codec server, so Temporal's Web UI can show encrypted payloads to the people allowed to.

With PAYLOAD_ENCRYPTION_KEYS set, histories hold ciphertext and the Web UI shows it as such.
Pointed at this server (the UI's "codec endpoint"), the UI sends the payloads it displays to
``POST /decode`` from the browser and shows the plain text; ``POST /encode`` is the reverse, for
the UI's signal and start forms. Bodies are Temporal's JSON form of ``Payloads``
(``{"payloads": [...]}``).

Anyone who can reach the server can read every payload, so it listens on 127.0.0.1 unless told
otherwise, answers only requests whose ``Host`` is one of CODEC_SERVER_ALLOWED_HOSTS (so a web
page whose own name was rebound to 127.0.0.1 cannot use it from a browser), answers
cross-origin requests only from TEMPORAL_UI_URL, and, with
CODEC_SERVER_TOKEN set, only requests that carry ``Authorization: Bearer <token>`` (the UI's
"pass access token" option sends the user's own token instead: use that with your identity
provider in front of this server).
"""

from __future__ import annotations

import asyncio
import hmac
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TextIO
from urllib.parse import urlsplit

from aiohttp import web
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.converter import PayloadCodec

from agent_stack.settings import Settings
from agents_temporal import EncryptionCodec, PayloadDecryptionError

_ALLOWED_HEADERS = "Authorization, Content-Type, X-Namespace"
_MAX_BODY_BYTES = 16 * 1024 * 1024

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class CodecServerError(RuntimeError):
    """The codec server cannot start; the message says what to set."""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def host_allowed(host: str | None, allowed: Sequence[str]) -> bool:
    """Whether a request's ``Host`` header names one of ``allowed`` (ports ignored).

    ``allowed`` holds lower-case names; ``*`` allows any and ``*.example.com`` any subdomain.
    """
    if "*" in allowed:
        return True
    try:
        parts = urlsplit(f"//{host or ''}")
        name = parts.hostname
        _ = parts.port  # a malformed port is a malformed host
    except ValueError:
        return False
    if not name or parts.username is not None or parts.path or parts.query:
        return False
    name = name.rstrip(".")
    return any(
        name == pattern or (pattern.startswith("*.") and name.endswith(pattern[1:]))
        for pattern in allowed
    )


def codec_app(
    codec: PayloadCodec,
    *,
    ui_url: str,
    token: str | None = None,
    allowed_hosts: Sequence[str] = ("localhost", "127.0.0.1", "::1"),
) -> web.Application:
    """The codec server's routes: ``/encode``, ``/decode`` and their CORS preflights.

    Args:
        codec: What encodes and decodes the payloads.
        ui_url: The Temporal Web UI's URL; only its origin may call from a browser.
        token: When set, every request must carry ``Authorization: Bearer <token>``.
        allowed_hosts: The host names requests may address (their ``Host`` header), lower
            case; others get 421 before anything else is looked at.
    """
    origin = _origin(ui_url)
    expected_auth = None if token is None else f"Bearer {token}".encode()

    @web.middleware
    async def cors_and_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not host_allowed(request.headers.get("Host"), allowed_hosts):
            # No CORS headers either: a rebound page learns nothing, not even a preflight.
            return _problem(
                421,
                "This codec server does not answer to that host name: add it to "
                "CODEC_SERVER_ALLOWED_HOSTS if it is yours",
            )
        if request.method == "OPTIONS":
            response: web.StreamResponse = web.Response(status=204)
        elif expected_auth is not None and not _authorized(
            request.headers.get("Authorization", ""), expected_auth
        ):
            response = _problem(401, "Send Authorization: Bearer <CODEC_SERVER_TOKEN>")
        else:
            response = await handler(request)
        if request.headers.get("Origin") == origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = _ALLOWED_HEADERS
            response.headers["Vary"] = "Origin"
        return response

    async def encode(request: web.Request) -> web.Response:
        return await _convert(request, codec.encode)

    async def decode(request: web.Request) -> web.Response:
        return await _convert(request, codec.decode)

    app = web.Application(middlewares=[cors_and_auth], client_max_size=_MAX_BODY_BYTES)
    for path, handler in (("/encode", encode), ("/decode", decode)):
        app.router.add_post(path, handler)
        app.router.add_route("OPTIONS", path, handler)
    return app


def _authorized(header: str, expected: bytes) -> bool:
    # Compared as bytes: a header with non-ASCII characters is simply wrong, not a server error
    # (hmac refuses non-ASCII str). The scheme is case-insensitive, as HTTP says.
    scheme, _, credentials = header.strip().partition(" ")
    given = f"Bearer {credentials.strip()}" if scheme.lower() == "bearer" else header
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected)


Convert = Callable[[Sequence[Payload]], Awaitable[list[Payload]]]


async def _convert(request: web.Request, convert: Convert) -> web.Response:
    body = await request.text()
    payloads = Payloads()
    try:
        json_format.Parse(body, payloads)
    except json_format.ParseError as error:
        return _problem(
            400, f'Send JSON like {{"payloads": [...]}} (Temporal\'s Payloads): {error}'
        )
    try:
        converted = await convert(list(payloads.payloads))
    except PayloadDecryptionError as error:
        return _problem(400, str(error))
    result = Payloads(payloads=converted)
    return web.Response(text=json_format.MessageToJson(result), content_type="application/json")


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"message": message}, status=status)


def settings_codec(settings: Settings) -> EncryptionCodec:
    """The codec of PAYLOAD_ENCRYPTION_KEYS.

    Raises:
        CodecServerError: encryption is off, so there is nothing to decode.
    """
    keyring = settings.encryption_keyring()
    if keyring is None:
        raise CodecServerError(
            "PAYLOAD_ENCRYPTION_KEYS is not set, so payloads are not encrypted and the Web UI "
            "needs no codec server; set the same keys as the worker's"
        )
    return EncryptionCodec.from_keyring(keyring)


async def serve_codec(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    stop: asyncio.Event | None = None,
    ready: asyncio.Event | None = None,
    out: TextIO = sys.stdout,
) -> None:
    """Serve the codec on ``host`` and CODEC_SERVER_PORT until ``stop`` is set."""
    token = settings.codec_server_token
    app = codec_app(
        settings_codec(settings),
        ui_url=settings.temporal_ui_url,
        token=token.get_secret_value() if token else None,
        allowed_hosts=settings.allowed_hosts("codec_server"),
    )
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, settings.codec_server_port)
        try:
            await site.start()
        except OSError as error:
            raise CodecServerError(
                f"Cannot listen on {host}:{settings.codec_server_port} ({error.strerror}): "
                "set CODEC_SERVER_PORT to a free port"
            ) from error
        print(
            f"codec server listening on http://{host}:{settings.codec_server_port} for "
            f"{_origin(settings.temporal_ui_url)}" + (" (token required)" if token else ""),
            file=out,
            flush=True,
        )
        if ready is not None:
            ready.set()
        await (stop or asyncio.Event()).wait()
    finally:
        await runner.cleanup()
