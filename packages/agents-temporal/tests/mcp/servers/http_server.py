"""Serve an MCP server over streamable HTTP on 127.0.0.1, in a thread of the test process."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Generator

import uvicorn
from mcp.server.mcpserver import MCPServer


@contextlib.contextmanager
def serve_streamable_http(server: MCPServer) -> Generator[str]:
    """Serve ``server`` for the body; yields its URL."""
    # A socket bound before the server starts: clients may connect at once, and the kernel
    # holds their connections until uvicorn accepts them.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        server.streamable_http_app(), log_level="warning", lifespan="on", ws="none"
    )
    http = uvicorn.Server(config)
    # In a thread of its own, uvicorn installs no signal handlers and no test's event loop
    # has to keep it running.
    thread = threading.Thread(target=http.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        http.should_exit = True
        thread.join()
        sock.close()
