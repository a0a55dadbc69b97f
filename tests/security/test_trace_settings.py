"""What traces may carry and where they go, as the worker and the console set them up.

Once, with payload encryption on, the OTLP export still carried customer messages, names,
emails and tool arguments, and the Agents SDK's exporter sent every conversation (and the API
key) to OpenAI whenever OPENAI_API_KEY was set, even with OPENAI_BASE_URL pointing elsewhere.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from typing import Any

import pytest

from agent_stack.settings import Settings

KEYS = f"k1:{base64.b64encode(bytes(32)).decode()}"

# Run in a process of its own: trace processors are global to a process.
_PROBE = """
import sys
from agents.tracing import get_trace_provider
from agents.tracing.processors import default_processor
from agent_stack.settings import load_settings
from agent_stack.tracing import configure_tracing

choice = configure_tracing(load_settings(), "worker")
registered = get_trace_provider()._multi_processor._processors
print("openai-exporter" if default_processor() in registered else "no-openai-exporter")
print(choice.plugin_options())
"""


def settings(**values: Any) -> Settings:
    return Settings(**dict[str, Any](_env_file=None, **values))


@pytest.mark.parametrize(
    ("values", "content"),
    [
        ({}, True),
        ({"PAYLOAD_ENCRYPTION_KEYS": KEYS}, False),
        ({"PAYLOAD_ENCRYPTION_KEYS": KEYS, "TRACE_CONTENT": "true"}, True),
        ({"TRACE_CONTENT": "false"}, False),
    ],
    ids=["plain", "encrypted", "encrypted-but-asked", "asked-not-to"],
)
def test_trace_content_follows_encryption_unless_set(values: dict[str, str], content: bool) -> None:
    assert settings(**values).trace_content_exported is content


def probe(subprocess_env: dict[str, str], **environ: str) -> list[str]:
    env = {
        k: v
        for k, v in subprocess_env.items()
        if not k.startswith(("OPENAI_", "OTEL_", "PAYLOAD_", "TRACE_"))
    }
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env={**env, **environ},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_openai_exporter_is_off_unless_asked_for(subprocess_env: dict[str, str]) -> None:
    key = {"OPENAI_API_KEY": "sk-test-not-a-real-key", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    assert probe(subprocess_env, **key)[0] == "no-openai-exporter"
    assert probe(subprocess_env, **key, OPENAI_TRACE_EXPORT="true")[0] == "openai-exporter"


def test_encrypted_payloads_mean_redacted_spans(subprocess_env: dict[str, str]) -> None:
    _, options = probe(subprocess_env, PAYLOAD_ENCRYPTION_KEYS=KEYS)
    assert options == "{'use_otel_instrumentation': False, 'trace_content': False}"
