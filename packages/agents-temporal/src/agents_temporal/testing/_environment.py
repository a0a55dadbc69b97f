"""Tests: AgentEnvironment, the plugin set up with a scripted model."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from types import TracebackType
from typing import Any

from agents import Model, ModelProvider
from temporalio.client import Client

from .._params import ModelActivityParameters
from .._plugin import OpenAIAgentsPlugin
from .._temporal_worker_env_ref import AllowAllWorkerEnvVars, snapshot_names
from ._models import TestModelProvider


class AgentEnvironment:
    """An ``OpenAIAgentsPlugin`` configured for tests, as an async context manager.

    Example:
        ```python
        model = TestModel.returning_responses([ResponseBuilders.output_message("Hi")])
        async with AgentEnvironment(model=model) as env:
            client = env.applied_on_client(base_client)
            async with Worker(client, task_queue="q", workflows=[MyAgent]):
                ...
        ```

    Args:
        model_params: How model activities are scheduled.
        model_provider: The worker's model provider; wins over ``model``.
        model: One model that answers for every model name (e.g. a ``TestModel``).
        mcp_server_providers: MCP servers to register.
        register_activities: Register the model and MCP activities on workers.
        use_otel_instrumentation: Export Agents spans through OpenTelemetry.
        resolvable_worker_env_vars: The worker environment variables workflows may name as
            secrets (see ``OpenAIAgentsPlugin``); copied when the environment is made.
    """

    __test__ = False

    def __init__(
        self,
        model_params: ModelActivityParameters | None = None,
        model_provider: ModelProvider | None = None,
        model: Model | None = None,
        mcp_server_providers: Sequence[Any] = (),
        register_activities: bool = True,
        use_otel_instrumentation: bool = False,
        resolvable_worker_env_vars: Collection[str] | AllowAllWorkerEnvVars = (),
    ) -> None:
        if model_provider is None and model is not None:
            model_provider = TestModelProvider(model)
        self._kwargs: dict[str, Any] = {
            "model_params": model_params,
            "model_provider": model_provider,
            "mcp_server_providers": mcp_server_providers,
            "register_activities": register_activities,
            "use_otel_instrumentation": use_otel_instrumentation,
            "resolvable_worker_env_vars": snapshot_names(resolvable_worker_env_vars),
        }
        self._plugin: OpenAIAgentsPlugin | None = None

    async def __aenter__(self) -> AgentEnvironment:
        self._plugin = OpenAIAgentsPlugin(**self._kwargs)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._plugin = None

    @property
    def openai_agents_plugin(self) -> OpenAIAgentsPlugin:
        """The plugin this environment configured."""
        if self._plugin is None:
            raise RuntimeError("Enter the AgentEnvironment (async with) before using its plugin")
        return self._plugin

    def applied_on_client(self, client: Client) -> Client:
        """A new client like ``client`` with this environment's plugin added."""
        config = client.config()
        config["plugins"] = [*config.get("plugins", []), self.openai_agents_plugin]
        return Client(**config)
