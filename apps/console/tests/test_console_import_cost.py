"""The console's page loads none of what only a worker needs, so its first paint is quick."""

from __future__ import annotations

import subprocess
import sys

# Seconds of imports between them (measured: about two thirds of the page module's import
# time), and nothing the console draws needs them: the client's plugin loads the Agents SDK on
# the first connection instead.
WORKER_ONLY = ("agents", "litellm", "openai", "mcp")


def test_page_module_imports_no_agents_sdk() -> None:
    # A fresh interpreter: this test process has imported the Agents SDK long ago.
    script = (
        "import sys\n"
        "import agent_console._ui\n"
        f"print(sorted(m for m in {WORKER_ONLY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
