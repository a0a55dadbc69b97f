"""The worker's model provider, built from its settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from agents import ModelProvider, ModelResponse, ModelSettings, ModelTracing

from agent_stack.settings import Settings
from agent_worker._models import model_provider
from agents_temporal import DefaultModelProvider
from agents_temporal.apps import AgentApp
from agents_temporal.offline import OfflineModel, OfflineModelProvider, OfflineTurn
from agents_temporal.testing import OpenAICompatibleServer, TextReply
from stack_testapp import DeskModelProvider
from stack_testapp.spec_examples import GoodbyeAgent, HelloWorldAgent, WeatherAgent


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


class ParrotModel(OfflineModel):
    def respond(self, turn: OfflineTurn) -> ModelResponse:
        return self.say(turn.message)


def test_the_summary_names_each_apps_offline_model(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every app made by `new-app` serves its model through the same OfflineModelProvider class,
    # which the summary once named for each: it said nothing about which model answers.
    def app(
        name: str, workflow: type, provider: Callable[[], ModelProvider] | None
    ) -> AgentApp[Any]:
        return AgentApp(
            name=name,
            title=name,
            description=name,
            conversation_workflow=workflow,
            workflows=[workflow],
            offline_model_provider=provider,
        )

    apps = [
        app("parrot", HelloWorldAgent, lambda: OfflineModelProvider(ParrotModel)),
        app("desk", GoodbyeAgent, DeskModelProvider),
        app("mute", WeatherAgent, None),
    ]
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("MODEL", raising=False)
    settings = Settings(**dict[str, Any](_env_file=None))
    assert settings.model_mode == "offline"
    _, description = model_provider(settings, apps)
    assert description == (
        "offline demo models, each app its own "
        "(parrot: ParrotModel, desk: DeskModelProvider, mute: none)"
    )
