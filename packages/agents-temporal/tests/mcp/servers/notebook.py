"""A small MCP server for the tests: sums (stateless), notes (stateful) and one prompt.

Run as a script it serves stdio; ``build_server()`` also serves streamable HTTP in-process. When
``NOTEBOOK_PID_FILE`` is set, the process writes its pid there so a test can kill it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from mcp.server.mcpserver import MCPServer


def build_server(log_level: Literal["INFO", "WARNING"] = "INFO") -> MCPServer:
    server = MCPServer("Notebook", log_level=log_level)
    notes: list[str] = []

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    @server.tool()
    def remember(note: str) -> str:
        """Keep a note for later in this session."""
        notes.append(note)
        return f"remembered {len(notes)} note(s)"

    @server.tool()
    def recall() -> str:
        """Every note kept in this session."""
        return "; ".join(notes) or "(no notes)"

    @server.tool()
    def erase_notes() -> str:
        """Forget every note."""
        notes.clear()
        return "erased"

    @server.prompt()
    def summarize(topic: str) -> str:
        """Ask for a one-sentence summary."""
        return f"Summarize what you know about {topic} in one sentence."

    return server


if __name__ == "__main__":
    pid_file = os.environ.get("NOTEBOOK_PID_FILE")
    if pid_file:
        Path(pid_file).write_text(str(os.getpid()))
    build_server().run()
