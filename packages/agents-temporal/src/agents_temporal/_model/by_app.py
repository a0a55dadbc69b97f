"""Worker side: one model provider serving several agent apps, each with its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents import Model, ModelProvider
from agents.exceptions import UserError
from temporalio import activity

from .._apps import AgentApp


class ModelProviderByApp(ModelProvider):
    """Serves each app's model calls with that app's own provider, on a worker of several apps.

    Apps are told apart by the workflow that makes the call: the model activity runs for one
    workflow, whose type belongs to exactly one app (`AgentApp.workflows`). The worker uses it
    for offline models, so that each app's conversations are played by the app's own model.

    A call the provider cannot serve fails the model activity at once (not retried), with a
    message that says what to do.

    Args:
        providers: Each app and its provider; an app mapped to None has none, and its calls
            fail with ``missing``, which says what to do.
        missing: The message for a call from an app that has no provider.

    Raises:
        ValueError: Two apps register the same workflow type.
    """

    def __init__(
        self,
        providers: Sequence[tuple[AgentApp[Any], ModelProvider | None]],
        missing: str = "agent app {app!r} has no model provider",
    ) -> None:
        self._by_workflow: dict[str, tuple[str, ModelProvider | None]] = {}
        for app, provider in providers:
            for name in app.workflow_types():
                if name in self._by_workflow:
                    other = self._by_workflow[name][0]
                    raise ValueError(
                        f"Agent apps {other!r} and {app.name!r} both register workflow "
                        f"{name!r}: a workflow type belongs to one app; rename one"
                    )
                self._by_workflow[name] = (app.name, provider)
        self._providers = list(dict.fromkeys(p for _, p in providers if p is not None))
        self._missing = missing

    def get_model(self, model_name: str | None) -> Model:
        workflow = activity.info().workflow_type if activity.in_activity() else None
        if workflow is None or workflow not in self._by_workflow:
            raise UserError(
                f"No agent app on this worker registers workflow {workflow!r}, so no app's "
                "model can answer its model call: run it on a worker of its app"
            )
        app, provider = self._by_workflow[workflow]
        if provider is None:
            raise UserError(self._missing.format(app=app))
        return provider.get_model(model_name)

    async def aclose(self) -> None:
        """Close every app's provider."""
        for provider in self._providers:
            await provider.aclose()
