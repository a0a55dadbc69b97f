"""DefaultModelProvider: an agent that names no model gets the provider's default model."""

from __future__ import annotations

from agents import ModelSettings, ModelTracing

from agents_temporal import DefaultModelProvider
from agents_temporal.testing import OpenAICompatibleServer, TextReply


async def test_an_agent_without_a_model_gets_the_default_model() -> None:
    # Once, the worker's MODEL reached the provider but not the requests: agents that name no
    # model were sent with the Agents SDK's own default.
    with OpenAICompatibleServer() as server:
        provider = DefaultModelProvider(
            default_model="gpt-chosen", api_key="sk-test", base_url=server.base_url
        )
        server.enqueue(TextReply("hello"))
        try:
            await provider.get_model(None).get_response(
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
        [request] = server.requests
        assert request.body_json is not None and request.body_json["model"] == "gpt-chosen"
