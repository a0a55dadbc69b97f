"""The worker's model provider, built from its settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from agents import ModelSettings, ModelTracing

from agent_stack.settings import Settings
from agent_worker._models import model_provider
from agents_temporal import DefaultModelProvider
from agents_temporal.testing import OpenAICompatibleServer, TextReply


async def test_an_api_key_kept_only_in_the_env_file_reaches_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with OpenAICompatibleServer() as server:
        env_file = tmp_path / ".env"
        env_file.write_text(
            f"OPENAI_API_KEY=sk-from-env-file\nOPENAI_BASE_URL={server.base_url}\nMODEL=gpt-test\n"
        )
        settings = Settings(_env_file=env_file)  # pyright: ignore[reportCallIssue]
        provider, description = model_provider(settings, [])
        assert description == "gpt-test via OpenAI"
        server.enqueue(TextReply("hello"))
        assert isinstance(provider, DefaultModelProvider)
        try:
            response = await provider.get_model("gpt-test").get_response(
                system_instructions=None,
                input="hi",
                model_settings=ModelSettings(),
                tools=[],
                output_schema=None,
                handoffs=[],
                tracing=ModelTracing.DISABLED,
                previous_response_id=None,
                conversation_id=None,
                prompt=None,
            )
        finally:
            await provider.aclose()
        assert response.output
        [request] = server.requests
        assert request.headers.get("authorization") == "Bearer sk-from-env-file"
