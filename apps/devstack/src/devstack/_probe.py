"""Looking before starting: is a port free, is Temporal already there, is the console up."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Literal

from temporalio.client import Client

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "::"})
"""Hosts that mean "this machine": `dev` may start a Temporal server for them."""

PortState = Literal["free", "in use"]


def split_address(address: str) -> tuple[str, int]:
    """``host:port`` (or ``[v6]:port``) into its parts."""
    host, _, port = address.rpartition(":")
    return host.strip("[]") or "localhost", int(port)


def bind_host(host: str) -> str:
    """The address to bind for a host name that means this machine."""
    return "127.0.0.1" if host in ("localhost", "0.0.0.0") else host


def port_state(host: str, port: int) -> PortState:
    """Whether something listens on ``host:port`` (tried by binding it ourselves)."""
    family = socket.AF_INET6 if ":" in bind_host(host) else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # The servers we start set SO_REUSEADDR too, so a port in TIME_WAIT counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((bind_host(host), port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return "in use"
            raise
    return "free"


async def temporal_answers(address: str, seconds: float = 3.0) -> bool:
    """Whether a Temporal frontend answers at ``address``."""
    try:
        # Connecting asks the server for its system info, so success means Temporal answered.
        async with asyncio.timeout(seconds):
            await Client.connect(address, connect_timeout=timedelta(seconds=seconds))
    except Exception:
        return False
    return True


def http_ok(url: str, timeout: float = 2.0) -> bool:
    """Whether ``url`` answers 200 (blocking; run it in a thread)."""
    with contextlib.suppress(urllib.error.URLError, OSError, ValueError):
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    return False
