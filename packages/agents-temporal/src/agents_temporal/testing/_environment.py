"""Tests: AgentEnvironment, the plugin set up with a scripted model."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import timedelta
from types import TracebackType
from typing import Any

from agents import Model, ModelProvider
from temporalio.client import Client

from .._mcp.pool import ServerFactory
from .._mcp.servers import DEFAULT_IDLE_TIMEOUT
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

    The parameters are the published integration's ``AgentEnvironment``'s, in its order.

    Args:
        model_params: How model activities are scheduled.
        model_provider: The worker's model provider; wins over ``model``.
        model: One model that answers for every model name (e.g. a ``TestModel``).
        mcp_server_providers: MCP servers to register.
        register_activities: Register the model and MCP activities on workers.
        add_temporal_spans: Draw ``temporal:*`` spans in Agents SDK traces.
        use_otel_instrumentation: Export Agents spans through OpenTelemetry.
        resolvable_worker_env_vars: The worker environment variables workflows may name as
            secrets (see ``OpenAIAgentsPlugin``); copied when the environment is made.
        mcp_servers: MCP server factories by name, for ``workflow.temporal_mcp_server``.
        mcp_connection_idle_timeout: How long a shared MCP connection stays open unused.
    """

    __test__ = False

    def __init__(
        self,
        model_params: ModelActivityParameters | None = None,
        model_provider: ModelProvider | None = None,
        model: Model | None = None,
        mcp_server_providers: Sequence[Any] = (),
        register_activities: bool = True,
        add_temporal_spans: bool = True,
        use_otel_instrumentation: bool = False,
        resolvable_worker_env_vars: Collection[str] | AllowAllWorkerEnvVars = (),
        *,
        mcp_servers: Mapping[str, ServerFactory] | None = None,
        mcp_connection_idle_timeout: timedelta | None = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        if model_provider is None and model is not None:
            model_provider = TestModelProvider(model)
        self._kwargs: dict[str, Any] = {
            "model_params": model_params,
            "model_provider": model_provider,
            "mcp_server_providers": mcp_server_providers,
            "register_activities": register_activities,
            "add_temporal_spans": add_temporal_spans,
            "use_otel_instrumentation": use_otel_instrumentation,
            "resolvable_worker_env_vars": snapshot_names(resolvable_worker_env_vars),
            "mcp_servers": mcp_servers,
            "mcp_connection_idle_timeout": mcp_connection_idle_timeout,
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
