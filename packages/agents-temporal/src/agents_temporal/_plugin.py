"""Client and worker: OpenAIAgentsPlugin sets up clients, workers and replayers for agents."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncGenerator, Collection, Generator, Sequence
from typing import Any

from agents import ModelProvider
from agents.run import AgentRunner, get_default_agent_runner, set_default_agent_runner
from temporalio.plugin import SimplePlugin
from temporalio.worker import WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from ._mcp.providers import MCPServerProvider, provider_activities, provider_names
from ._model.activity import ModelActivity
from ._model.runner import TemporalAgentRunner
from ._params import ModelActivityParameters
from ._payloads.converter import with_agents_converter
from ._temporal_worker_env_ref import AllowAllWorkerEnvVars, snapshot_names
from ._tracing.interceptor import AgentsTracingInterceptor
from ._tracing.otel_gate import check_otel_ready, enable_otel_export
from ._tracing.provider import install_trace_provider
from ._workflow_context import AgentsInterceptor, WorkflowAgentsContext
from .sandbox._provider import SandboxClientProvider

# Shared with the sandbox, so the workflow sees the same classes, runner and settings as the
# worker that installed them.
# OpenTelemetry too: its context (the current span) must be the one the worker's tracing sees.
_PASSTHROUGH_MODULES = (
    "agents",
    "openai",
    "pydantic",
    "pydantic_core",
    "mcp",
    "agents_temporal",
    "opentelemetry",
)


class _RunnerInstallation:
    """Keeps the Temporal-aware runner installed while any worker of this process runs."""

    def __init__(self) -> None:
        self._users = 0
        self._previous: AgentRunner | None = None

    @contextlib.asynccontextmanager
    async def active(self) -> AsyncGenerator[None]:
        if self._users == 0:
            # The trace provider builds its exporter (and imports HTTP clients) on first use;
            # that must happen here, not lazily inside a workflow sandbox. It is replaced by
            # one whose traces are deterministic and replay safe inside workflows.
            install_trace_provider()
            self._previous = get_default_agent_runner()
            set_default_agent_runner(TemporalAgentRunner())
        self._users += 1
        try:
            yield
        finally:
            self._users -= 1
            if self._users == 0:
                set_default_agent_runner(self._previous)


_RUNNER = _RunnerInstallation()


def _with_passthrough(runner: WorkflowRunner | None) -> WorkflowRunner:
    if isinstance(runner, SandboxedWorkflowRunner):
        return dataclasses.replace(
            runner,
            restrictions=runner.restrictions.with_passthrough_modules(*_PASSTHROUGH_MODULES),
        )
    if runner is None:
        return SandboxedWorkflowRunner(
            restrictions=SandboxedWorkflowRunner().restrictions.with_passthrough_modules(
                *_PASSTHROUGH_MODULES
            )
        )
    return runner


class OpenAIAgentsPlugin(SimplePlugin):
    """Runs OpenAI Agents SDK code durably in Temporal workflows.

    Give it to ``Client.connect(plugins=[...])``; workers built from that client inherit it. It
    installs a payload converter for OpenAI and Agents types, lets the workflow sandbox share
    the Agents SDK, registers the model activity on workers, and makes ``Runner.run`` inside a
    workflow schedule every model call as that activity.

    Args:
        model_params: How model activities are scheduled (timeouts, retries, task queue).
        model_provider: Makes real models on the worker from model names. Defaults to OpenAI,
            with ``litellm/<provider>/<model>`` names served by LiteLLM.
        mcp_server_providers: MCP servers the workflows may use, by name.
        sandbox_clients: Sandbox backends the workflows may use, by name
            (``workflow.temporal_sandbox_client(name)``); each registers its own activities.
        register_activities: Register the model (and MCP) activities on workers. Turn off for a
            worker that only runs workflows while other workers serve the activities.
        use_otel_instrumentation: Export Agents SDK spans through OpenTelemetry, into the
            global tracer provider, which must be replay safe (see
            ``agents_temporal.opentelemetry.create_tracer_provider``).
        resolvable_worker_env_vars: The environment variables of this worker that workflows
            may name as secrets (``temporal_worker_env_ref(name)`` in hosted tool credentials,
            ``TemporalWorkerEnvValue(name=...)`` in sandbox manifests), or
            ``AllowAllWorkerEnvVars()``. None by default; the names are copied when the
            plugin is made.

    Raises:
        ImportError: ``use_otel_instrumentation`` without the ``otel`` extra installed.
        ValueError: ``use_otel_instrumentation`` while the global tracer provider is not a
            ``ReplaySafeTracerProvider``, or two sandbox clients with one name.
        TypeError: ``resolvable_worker_env_vars`` given as a single string.
    """

    def __init__(
        self,
        model_params: ModelActivityParameters | None = None,
        model_provider: ModelProvider | None = None,
        mcp_server_providers: Sequence[MCPServerProvider] = (),
        sandbox_clients: Sequence[SandboxClientProvider] = (),
        register_activities: bool = True,
        use_otel_instrumentation: bool = False,
        resolvable_worker_env_vars: Collection[str] | AllowAllWorkerEnvVars = (),
    ) -> None:
        self.model_params = model_params or ModelActivityParameters()
        self.model_provider = model_provider
        self.mcp_server_providers = tuple(mcp_server_providers)
        self.use_otel_instrumentation = use_otel_instrumentation
        if use_otel_instrumentation:
            check_otel_ready()
        # Copied now: a caller's list changed later (or a generator read once) must not
        # change which secrets this plugin's workers hand out.
        self.resolvable_worker_env_vars = snapshot_names(resolvable_worker_env_vars)
        self.sandbox_clients = tuple(sandbox_clients)
        sandbox_names = [provider.name for provider in self.sandbox_clients]
        if len(set(sandbox_names)) != len(sandbox_names):
            raise ValueError(
                f"Sandbox client names must be unique, got {sandbox_names}: give each "
                "SandboxClientProvider its own name"
            )
        context = WorkflowAgentsContext(
            model_params=self.model_params,
            mcp_server_names=provider_names(self.mcp_server_providers),
        )
        self._model_activity = ModelActivity(model_provider, self.resolvable_worker_env_vars)
        self._running_workers = 0
        activities: list[Any] = []
        if register_activities:
            activities.append(self._model_activity.invoke_model)
            activities.append(self._model_activity.stream_model)
            activities.extend(provider_activities(self.mcp_server_providers))
            for provider in self.sandbox_clients:
                activities.extend(provider._get_activities(self.resolvable_worker_env_vars))  # pyright: ignore[reportPrivateUsage]
        super().__init__(
            name="agents_temporal.OpenAIAgentsPlugin",
            data_converter=with_agents_converter,
            interceptors=[AgentsInterceptor(context), AgentsTracingInterceptor()],
            activities=activities,
            workflow_runner=_with_passthrough,
            run_context=self._while_worker_runs,
        )

    @contextlib.asynccontextmanager
    async def _while_worker_runs(self) -> AsyncGenerator[None]:
        async with _RUNNER.active():
            if self.use_otel_instrumentation:
                enable_otel_export()
            self._running_workers += 1
            try:
                yield
            finally:
                self._running_workers -= 1
                if self._running_workers == 0:
                    await self._model_activity.aclose()

    @contextlib.contextmanager
    def tracing_context(self) -> Generator[None]:
        """Set up tracing for traces started outside a worker, such as around a client call.

        Inside the block, Agents SDK traces (``with trace(...)``) use the replay-safe trace
        provider and, with ``use_otel_instrumentation``, are exported through OpenTelemetry;
        workflows started, signalled or updated from the block run inside the trace.

        Example:
            ```python
            with plugin.tracing_context(), trace("Customer support"):
                await client.execute_workflow(...)
            ```
        """
        install_trace_provider()
        if self.use_otel_instrumentation:
            enable_otel_export()
        yield
