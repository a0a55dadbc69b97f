"""Which model provider the worker uses, from settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents import ModelProvider

from agent_stack.settings import Settings
from agents_temporal import DefaultModelProvider
from agents_temporal.apps import AgentApp


class ModelSetupError(RuntimeError):
    """The settings ask for a model the worker cannot provide."""


def model_provider(settings: Settings, apps: Sequence[AgentApp[Any]]) -> tuple[ModelProvider, str]:
    """The provider for the worker's model activities, and a one-line description of it."""
    mode = settings.model_mode
    if mode == "offline":
        offline = next((a for a in apps if a.offline_model_provider is not None), None)
        if offline is None or offline.offline_model_provider is None:
            raise ModelSetupError(
                "No model is configured and no installed app has an offline demo model: set "
                "OPENAI_API_KEY, or MODEL=litellm/<provider>/<model>"
            )
        return offline.offline_model_provider(), f"offline demo model (from {offline.name!r})"
    if mode == "litellm":
        # Import LiteLLM now: it takes seconds, which would otherwise eat into the first model
        # activity's start-to-close timeout.
        import agents.extensions.models.litellm_provider  # noqa: F401  # pyright: ignore[reportUnusedImport]

    key = settings.openai_api_key
    provider = DefaultModelProvider(
        default_model=settings.default_model,
        # From the settings, so that a key kept only in the .env file works too.
        api_key=key.get_secret_value() if key is not None else None,
        base_url=settings.openai_base_url,
    )
    return provider, (
        f"{settings.default_model} via {'LiteLLM' if mode == 'litellm' else 'OpenAI'}"
    )
