"""A Temporal client whose plugin's default model provider calls a local OpenAI-compatible server.

For the tests of the real OpenAI client path (plain, streamed, streamed to a topic): the
provider reads OPENAI_API_KEY and OPENAI_BASE_URL, which point it at the test's server.
"""

from __future__ import annotations

import pytest
from temporalio.client import Client

from agents_temporal import ModelActivityParameters, OpenAIAgentsPlugin
from agents_temporal.testing import OpenAICompatibleServer

API_KEY = "sk-test-not-a-real-key"
"""The key the OpenAI client sends to the local server."""


def local_openai_client(
    temporal_client: Client,
    server: OpenAICompatibleServer,
    monkeypatch: pytest.MonkeyPatch,
    params: ModelActivityParameters,
) -> Client:
    """``temporal_client`` with the plugin, its models served by ``server`` (cleared first)."""
    server.clear()
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    config = temporal_client.config()
    config["plugins"] = [OpenAIAgentsPlugin(model_params=params)]
    return Client(**config)
