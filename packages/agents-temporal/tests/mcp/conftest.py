"""Fixtures of the MCP tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mcp.servers.http_server import serve_streamable_http
from tests.mcp.servers.notebook import build_server


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    """The URL of a notebook server over streamable HTTP, for the tests of one module."""
    with serve_streamable_http(build_server(log_level="WARNING")) as url:
        yield url
