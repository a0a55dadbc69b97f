"""Parsers and validators behind the stack's settings model.

Each parser raises `ValueError` with a message that names the problem and what to do about it.
None of them ever puts secret material (a key, a token, a password) into a message.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import urlsplit

from agents_temporal.apps import redact_url

ENCRYPTION_KEY_BYTES = 32
"""AES-256-GCM keys are exactly this many bytes."""

GENERATE_KEY_HINT = (
    'generate one with: python -c "import base64, os; '
    'print(base64.b64encode(os.urandom(32)).decode())"'
)
"""How to make a fresh key; quoted in every key error."""

_KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_HOST_PORT_PATTERN = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):(?P<port>\d{1,5})")


@dataclass(frozen=True)
class EncryptionKeyring:
    """The payload encryption keys, parsed from PAYLOAD_ENCRYPTION_KEYS.

    Its repr lists key ids only, so a keyring can be logged without leaking key material.
    """

    current_key_id: str
    """The id of the key that encrypts new payloads (PAYLOAD_ENCRYPTION_KEY_ID)."""

    keys: Mapping[str, bytes] = field(repr=False)
    """Every configured key by id, in configuration order; old ids still decrypt."""

    def __repr__(self) -> str:
        ids = self.key_ids
        return f"EncryptionKeyring(current_key_id={self.current_key_id!r}, key_ids={ids!r})"

    @property
    def key_ids(self) -> tuple[str, ...]:
        """The configured key ids, in configuration order."""
        return tuple(self.keys)

    @property
    def current_key(self) -> bytes:
        """The 32-byte key that encrypts new payloads."""
        return self.keys[self.current_key_id]


def parse_encryption_keys(raw: str) -> dict[str, bytes]:
    """Parse comma-separated ``key_id:base64-key`` entries into ``{key_id: key}``.

    Args:
        raw: The value of PAYLOAD_ENCRYPTION_KEYS. Whitespace around entries and empty entries
            (a trailing comma) are ignored.

    Returns:
        The keys by id, in the order given. Empty when ``raw`` holds no entries.

    Raises:
        ValueError: An entry is malformed, a key is not base64 of exactly 32 bytes, or an id
            repeats. The message names the key id or the entry's position, never key material.
    """
    keys: dict[str, bytes] = {}
    entries = [entry.strip() for entry in raw.split(",")]
    for position, entry in enumerate((e for e in entries if e), start=1):
        key_id, separator, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not separator:
            # The entry may be a bare key: say where it is, never what it is.
            raise ValueError(
                f"entry {position} is not of the form key_id:base64-key; write each key as "
                f"<id>:<base64 of 32 random bytes> and {GENERATE_KEY_HINT}"
            )
        if not _KEY_ID_PATTERN.fullmatch(key_id):
            raise ValueError(
                f"entry {position} has an invalid key id: an id is 1-64 letters, digits, '.', "
                "'_' or '-', starting with a letter or digit (for example 'k1' or '2025-01')"
            )
        if key_id in keys:
            raise ValueError(f"key id {key_id!r} appears more than once; give every key its own id")
        keys[key_id] = _decode_key(key_id, encoded.strip())
    return keys


def _decode_key(key_id: str, encoded: str) -> bytes:
    try:
        if "-" in encoded or "_" in encoded:
            key = base64.urlsafe_b64decode(encoded.encode("ascii"))
        else:
            key = base64.b64decode(encoded.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ValueError(f"key {key_id!r} is not valid base64; {GENERATE_KEY_HINT}") from None
    if len(key) != ENCRYPTION_KEY_BYTES:
        raise ValueError(
            f"key {key_id!r} decodes to {len(key)} bytes but AES-256-GCM needs exactly "
            f"{ENCRYPTION_KEY_BYTES}; {GENERATE_KEY_HINT}"
        )
    return key


def make_keyring(keys: Mapping[str, bytes], current_key_id: str | None) -> EncryptionKeyring | None:
    """Build the keyring, or `None` when no keys are configured (encryption off).

    Args:
        keys: Parsed keys by id, in configuration order.
        current_key_id: The chosen current id, or `None` for the first configured key.
    """
    if not keys:
        return None
    chosen = current_key_id if current_key_id is not None else next(iter(keys))
    return EncryptionKeyring(current_key_id=chosen, keys=MappingProxyType(dict(keys)))


def check_host_port(value: str, *, example: str) -> str:
    """Check that ``value`` is ``host:port`` with no scheme, and return it stripped.

    Args:
        value: The address to check.
        example: An example address to quote in the error message.

    Raises:
        ValueError: The value has a scheme, lacks a port, or the port is out of range.
    """
    address = value.strip()
    if "://" in address:
        raise ValueError(
            f"must be host:port without a scheme, e.g. {example!r}; got {address!r} "
            f"(drop {address.split('://', 1)[0] + '://'!r}; TLS is set with TEMPORAL_TLS)"
        )
    match = _HOST_PORT_PATTERN.fullmatch(address)
    if match is None:
        raise ValueError(f"must be host:port, e.g. {example!r}; got {address!r}")
    port = int(match["port"])
    if not 1 <= port <= 65535:
        raise ValueError(f"port {port} is out of range 1-65535 in {address!r}")
    return address


def check_http_url(value: str) -> str:
    """Check that ``value`` is an absolute http(s) URL with a host, and return it stripped.

    Raises:
        ValueError: The value is not an http or https URL with a host.
    """
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"must be an http:// or https:// URL with a host, e.g. 'http://localhost:4318'; "
            f"got {redact_url(url)!r}"
        )
    return url


MIN_TOKEN_CHARS = 16
"""The shortest console token accepted: long enough that guessing it at the login's rate
limit takes longer than anyone waits."""

GENERATE_TOKEN_HINT = 'make one with: python -c "import secrets; print(secrets.token_urlsafe(24))"'
"""How to make a fresh token; quoted in every token error."""

_OPERATOR_NAME = re.compile(r"[\w.@+'-](?:[\w .@+'-]{0,98}[\w.@+'-])?")
_RESERVED_OPERATOR = re.compile(r"system\b", re.IGNORECASE)
_HOST_NAME = re.compile(r"\*|(?:\*\.)?[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|[0-9a-f:]+")


def check_token(token: str, what: str) -> None:
    """Refuse a console token shorter than `MIN_TOKEN_CHARS` or with spaces around it.

    Args:
        token: The token; never quoted in the message.
        what: How the message names it (``"the token"``, ``"the token of 'ada'"``).

    Raises:
        ValueError: The token is too short or has surrounding spaces.
    """
    if token != token.strip():
        raise ValueError(f"{what} has spaces around it; remove them")
    if len(token) < MIN_TOKEN_CHARS:
        raise ValueError(
            f"{what} is {len(token)} characters; use at least {MIN_TOKEN_CHARS} random ones "
            f"({GENERATE_TOKEN_HINT})"
        )


def check_operator_name(name: str) -> str:
    """Return ``name`` stripped if it can be recorded on decisions, else raise.

    A name is 1-100 letters, digits, spaces and ``. @ + ' - _``, so an email works. Names
    starting with ``system`` are reserved: the conversation records its own decisions (an
    expired approval, a closed conversation) as ``system:<why>``, and an operator must not be
    able to pass for one.

    Raises:
        ValueError: The name is empty, too long, has other characters or is reserved.
    """
    cleaned = name.strip()
    if not _OPERATOR_NAME.fullmatch(cleaned):
        raise ValueError(
            f"{cleaned[:40]!r} is not an operator name: use 1-100 letters, digits, spaces and "
            ". @ + ' - _ (an email address works)"
        )
    if _RESERVED_OPERATOR.match(cleaned):
        raise ValueError(
            f"{cleaned[:40]!r} is reserved: names starting with 'system' mark the "
            "conversation's own decisions; choose another"
        )
    return cleaned


def parse_operators(raw: str) -> dict[str, str]:
    """Parse CONSOLE_OPERATORS, comma-separated ``name:token`` pairs, into ``{name: token}``.

    Raises:
        ValueError: An entry is not ``name:token``, a name is unusable or repeats, a token is
            too short or two operators share one. Messages name operators, never tokens.
    """
    operators: dict[str, str] = {}
    entries = [entry.strip() for entry in raw.split(",")]
    for position, entry in enumerate((e for e in entries if e), start=1):
        name, separator, token = entry.partition(":")
        if not separator:
            raise ValueError(f"entry {position} is not of the form name:token")
        name = check_operator_name(name)
        check_token(token.strip(), f"the token of {name!r}")
        if name in operators:
            raise ValueError(f"operator {name!r} appears more than once; give each one entry")
        if token.strip() in operators.values():
            raise ValueError(
                f"operator {name!r} shares a token with another: give every operator their own"
            )
        operators[name] = token.strip()
    if not operators:
        raise ValueError("holds no name:token pair; unset it or add one")
    return operators


def parse_allowed_hosts(raw: str) -> tuple[str, ...]:
    """Parse a comma-separated list of host names (``*.example.com`` and ``*`` allowed).

    Raises:
        ValueError: The list is empty or a name has a port, a scheme or other characters.
    """
    hosts = tuple(h.strip().lower().rstrip(".") for h in raw.split(",") if h.strip())
    for host in hosts:
        if not _HOST_NAME.fullmatch(host):
            raise ValueError(
                f"{host[:60]!r} is not a host name: list names only, without scheme or port, "
                "e.g. 'localhost,console.example.com'"
            )
    if not hosts:
        raise ValueError("lists no host; write e.g. 'localhost,127.0.0.1,::1', or '*' for any")
    return hosts
