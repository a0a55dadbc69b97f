"""Which model provider the worker uses, from settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents import ModelProvider

from agent_stack.settings import Settings
from agents_temporal import DefaultModelProvider
from agents_temporal.apps import AgentApp, ModelProviderByApp
from agents_temporal.offline import OfflineModelProvider


class ModelSetupError(RuntimeError):
    """The settings ask for a model the worker cannot provide."""


def model_provider(settings: Settings, apps: Sequence[AgentApp[Any]]) -> tuple[ModelProvider, str]:
    """The provider for the worker's model activities, and a one-line description of it.

    With no model configured, each app's conversations are played by that app's own offline
    model (`ModelProviderByApp` routes each call by the workflow that makes it); an app without
    one gets a clear error on its first model call.

    Raises:
        ModelSetupError: No model is configured and no app has an offline model.
    """
    mode = settings.model_mode
    if mode == "offline":
        if not any(app.offline_model_provider is not None for app in apps):
            raise ModelSetupError(
                "No model is configured and no installed app has an offline demo model: set "
                "OPENAI_API_KEY, or MODEL=litellm/<provider>/<model>"
            )
        routes = [
            (app, app.offline_model_provider() if app.offline_model_provider else None)
            for app in apps
        ]
        provider = ModelProviderByApp(
            routes,
            missing="Agent app {app!r} has no offline model, and the worker has no model "
            "configured: set OPENAI_API_KEY (or MODEL=litellm/<provider>/<model>) on the "
            "worker, or give the app an offline_model_provider",
        )
        each = ", ".join(f"{app.name}: {_model_name(own)}" for app, own in routes)
        return provider, f"offline demo models, each app its own ({each})"
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


def _model_name(provider: ModelProvider | None) -> str:
    """What the start-up summary calls an app's offline model.

    An `OfflineModelProvider` is the same class in every app made by `new-app`, so the model it
    serves (``OfflineTravelModel``) is what tells the apps apart.
    """
    if provider is None:
        return "none"
    if isinstance(provider, OfflineModelProvider):
        return type(provider.model).__name__
    return type(provider).__name__
