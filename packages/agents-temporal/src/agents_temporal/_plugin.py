"""Client and worker: OpenAIAgentsPlugin sets up clients, workers and replayers for agents."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncGenerator, Callable, Collection, Generator, Mapping, Sequence
from datetime import timedelta
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
from ._tracing.interceptor import AgentsTracingInterceptor
from ._tracing.otel_gate import check_otel_ready, enable_otel_export
from ._tracing.provider import install_trace_provider
from ._workflow_context import AgentsInterceptor, WorkflowAgentsContext

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


def _model_params(
    params: ModelActivityParameters | None, provider: ModelProvider | None
) -> ModelActivityParameters:
    params = params or ModelActivityParameters()
    if params.start_to_close_timeout is None and params.schedule_to_close_timeout is None:
        if provider is not None:
            # Only the default provider's calls have a known reasonable bound.
            raise ValueError(
                "With a custom model_provider, ModelActivityParameters needs "
                "start_to_close_timeout or schedule_to_close_timeout: a model call without "
                "either could wait for ever"
            )
        params = dataclasses.replace(params, start_to_close_timeout=timedelta(seconds=60))
    return params


class OpenAIAgentsPlugin(SimplePlugin):
    """Runs OpenAI Agents SDK code durably in Temporal workflows.

    Give it to ``Client.connect(plugins=[...])``; workers built from that client inherit it. It
    installs a payload converter for OpenAI and Agents types, lets the workflow sandbox share
    the Agents SDK, registers the model activity on workers, and makes ``Runner.run`` inside a
    workflow schedule every model call as that activity.

    The parameters are the published integration's, in its order (``temporalio.openai_agents``
    1.1.0), so code written for it configures this plugin unchanged.

    Args:
        model_params: How model activities are scheduled (timeouts, retries, task queue).
        model_provider: Makes real models on the worker from model names. Defaults to OpenAI,
            with ``litellm/<provider>/<model>`` names served by LiteLLM.
        mcp_server_providers: MCP servers the workflows may use, by name.
        sandbox_clients: Named sandbox client providers for sandbox agents.
        register_activities: Register the model (and MCP) activities on workers. Turn off for a
            worker that only runs workflows while other workers serve the activities.
        add_temporal_spans: Add spans for Temporal operations (workflow, activity) to traces.
        use_otel_instrumentation: Export Agents SDK spans through OpenTelemetry, into the
            global tracer provider, which must be replay safe (see
            ``agents_temporal.opentelemetry.create_tracer_provider``).
        resolvable_worker_env_vars: Names of the worker's environment variables that
            references made in workflows (``temporal_worker_env_ref``) may resolve to.
        mcp_servers: MCP server factories by name, for ``workflow.temporal_mcp_server``.
        mcp_connection_idle_timeout: How long an idle MCP connection of ``mcp_servers`` is
            kept for reuse (None: for ever; zero: never reused).
        trace_content: With ``use_otel_instrumentation``, whether exported spans carry
            messages, tool arguments and outputs, and the text of errors. ``False`` keeps only
            their structure (names, timings, token counts, error types), as payload
            encryption calls for; it holds for the whole process once any plugin in it sets
            it.

    Raises:
        ImportError: ``use_otel_instrumentation`` without the ``otel`` extra installed.
        ValueError: ``use_otel_instrumentation`` while the global tracer provider is not a
            ``ReplaySafeTracerProvider``; or a ``model_provider`` with neither
            ``start_to_close_timeout`` nor ``schedule_to_close_timeout`` in ``model_params``.
    """

    def __init__(
        self,
        model_params: ModelActivityParameters | None = None,
        model_provider: ModelProvider | None = None,
        mcp_server_providers: Sequence[MCPServerProvider] = (),
        sandbox_clients: Sequence[Any] = (),
        register_activities: bool = True,
        add_temporal_spans: bool = True,
        use_otel_instrumentation: bool = False,
        resolvable_worker_env_vars: Collection[str] = (),
        *,
        mcp_servers: Mapping[str, Callable[..., Any]] | None = None,
        mcp_connection_idle_timeout: timedelta | None = timedelta(minutes=5),
        trace_content: bool = True,
    ) -> None:
        self.model_params = _model_params(model_params, model_provider)
        self.model_provider = model_provider
        self.mcp_server_providers = tuple(mcp_server_providers)
        self.use_otel_instrumentation = use_otel_instrumentation
        self.trace_content = trace_content
        # Stored for the features that read them (sandbox agents, worker secrets, Temporal
        # spans, MCP servers of the current form), each configured from here.
        self.sandbox_clients = tuple(sandbox_clients)
        self.add_temporal_spans = add_temporal_spans
        self.resolvable_worker_env_vars = resolvable_worker_env_vars
        self.mcp_servers = dict(mcp_servers or {})
        self.mcp_connection_idle_timeout = mcp_connection_idle_timeout
        if use_otel_instrumentation:
            check_otel_ready()
        context = WorkflowAgentsContext(
            model_params=self.model_params,
            mcp_server_names=provider_names(self.mcp_server_providers),
        )
        self._model_activity = ModelActivity(model_provider)
        self._running_workers = 0
        activities: list[Any] = []
        if register_activities:
            activities.append(self._model_activity.invoke_model)
            activities.append(self._model_activity.invoke_model_legacy)
            activities.append(self._model_activity.stream_model)
            activities.extend(provider_activities(self.mcp_server_providers))
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
                enable_otel_export(redact_content=not self.trace_content)
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
            enable_otel_export(redact_content=not self.trace_content)
        yield
