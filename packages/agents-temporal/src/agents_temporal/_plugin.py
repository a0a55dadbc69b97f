"""Client and worker: OpenAIAgentsPlugin sets up clients, workers and replayers for agents."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import warnings
from collections.abc import AsyncGenerator, Callable, Collection, Generator, Mapping, Sequence
from datetime import timedelta
from typing import Any

from agents import ModelProvider, Usage
from agents.run import AgentRunner, get_default_agent_runner, set_default_agent_runner
from temporalio import activity, workflow
from temporalio.converter import SerializationContext
from temporalio.converter._extstore import StorageDriverStoreContext
from temporalio.plugin import SimplePlugin
from temporalio.worker import WorkerConfig, WorkflowRunner
from temporalio.worker._command_aware_visitor import CommandInfo
from temporalio.worker._workflow_instance import WorkflowInstance, WorkflowInstanceDetails
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox._runner import (
    _Instance,  # pyright: ignore[reportPrivateUsage]
)

from . import _sandbox_builtins
from ._mcp.pool import ServerFactory
from ._mcp.providers import MCPServerProvider, provider_activities, provider_names
from ._mcp.servers import DEFAULT_IDLE_TIMEOUT, PooledMCPServers
from ._model.activity import ModelActivity
from ._model.activity_tool import describe_activities
from ._model.runner import TemporalAgentRunner
from ._params import ModelActivityParameters
from ._payloads import idle_passes
from ._payloads.converter import build_type_adapters, with_agents_converter
from ._streaming.workflow_model import build_stream_event_types
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
    "mcp_types",
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


class _FastContextInstance(_Instance):
    """A sandboxed workflow instance whose context lookups skip the sandbox's swap.

    Temporal's sandbox runs every call into a workflow instance as an ``exec`` inside the
    sandbox, with its importer, ``sys.modules`` and restricted builtins swapped in and out. The
    worker makes two such calls for every payload of every activation and completion (three
    passes each way) only to ask which serialization context, and which external-storage
    context, the payload's command has. The answer comes from ``temporalio``'s own instance
    inside the sandbox (a lookup of the pending command: no user code, no imports; ``temporalio``
    is always passed through, so it is the same class inside and out), so these two calls go to
    it directly. Creating the instance and every activation, which run workflow code, still go
    through the sandbox. Its importer returns loaded modules to function-level imports directly
    (``_sandbox_builtins.use_fast_imports``).

    It relies on ``temporalio``'s private ``_Instance``: ``pyproject.toml`` pins ``temporalio``
    to a minor series, and ``tests/core/test_workflow_runner.py`` checks that the lookups skip
    the sandbox and that codecs still see each command's context.
    """

    def _create_instance(self) -> None:
        _sandbox_builtins.use_fast_imports(self.importer)
        super()._create_instance()

    def _in_sandbox(self) -> Any:
        return self.globals_and_locals.get("__temporal_in_sandbox")

    def get_serialization_context(
        self, command_info: CommandInfo | None
    ) -> SerializationContext | None:
        in_sandbox = self._in_sandbox()
        if in_sandbox is None:  # not created yet: the SDK's own path
            return super().get_serialization_context(command_info)
        return in_sandbox.get_serialization_context(command_info)

    def get_external_store_context(
        self, command_info: CommandInfo | None
    ) -> StorageDriverStoreContext:
        in_sandbox = self._in_sandbox()
        if in_sandbox is None:
            return super().get_external_store_context(command_info)
        return in_sandbox.get_external_store_context(command_info)


@dataclasses.dataclass(frozen=True)
class FastContextSandboxedWorkflowRunner(SandboxedWorkflowRunner):
    """Temporal's sandboxed runner, its serialization-context lookups made directly."""

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        """Implements :py:meth:`WorkflowRunner.create_instance`."""
        return _FastContextInstance(det, self.runner_class, self.restrictions)


def _with_passthrough(runner: WorkflowRunner | None) -> WorkflowRunner:
    if runner is None:
        runner = SandboxedWorkflowRunner()
    if not isinstance(runner, SandboxedWorkflowRunner):
        return runner
    restrictions = runner.restrictions.with_passthrough_modules(*_PASSTHROUGH_MODULES)
    if type(runner) is SandboxedWorkflowRunner:
        return FastContextSandboxedWorkflowRunner(
            restrictions=restrictions, runner_class=runner.runner_class
        )
    # A subclass someone wrote may override create_instance for reasons of its own: kept.
    return dataclasses.replace(runner, restrictions=restrictions)


def _payload_types(
    workflows: Sequence[type], activities: Sequence[Callable[..., Any]]
) -> list[Any]:
    """Every type a workflow task may decode: workflow, handler and activity inputs and results."""
    handlers: list[Any] = []
    for cls in workflows:
        defn = workflow._Definition.from_class(cls)
        if defn is not None:
            handlers += [defn, *defn.signals.values(), *defn.queries.values()]
            handlers += defn.updates.values()
    for fn in activities:
        defn = activity._Definition.from_callable(fn)  # pyright: ignore[reportPrivateUsage]
        if defn is not None:
            handlers.append(defn)
    types: list[Any] = []
    for handler in handlers:
        types += handler.arg_types or ()
        ret = getattr(handler, "ret_type", None)
        if ret is not None:
            types.append(ret)
    return types


def warm_up_worker(config: WorkerConfig, not_tools: Collection[Callable[..., Any]] = ()) -> None:
    """Build, before the worker polls, what a fresh worker's first workflow tasks would build.

    A process builds some things once, on first use: the pydantic adapter of each payload type,
    and the schema of each activity made a tool. Left to the first workflow tasks of a new
    worker, every workflow thread builds the same ones at once, inside the SDK's 2 s deadlock
    detector; on a starved CPU (a worker started to replace one that died, among busy ones)
    those tasks failed as potential deadlocks. Here they are built once, before any task.

    Args:
        config: The worker's configuration (its client, workflows and activities).
        not_tools: Registered activities no workflow makes a tool (the plugin's own).
    """
    workflows = list(config.get("workflows") or ())
    activities: list[Callable[..., Any]] = [*config.get("activities", ())]
    client = config.get("client")
    if client is not None:
        build_type_adapters(client.data_converter, _payload_types(workflows, activities))
    describe_activities(a for a in activities if a not in not_tools)
    # Every run makes a Usage, whose defaults are OpenAI models that build their validators
    # on first use, as the stream event types do (`build_stream_event_types`).
    Usage()


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
        mcp_server_providers: MCP servers the workflows may use, by name, through
            ``stateless_mcp_server`` / ``stateful_mcp_server``. Deprecated, as in Temporal's
            published integration: use ``mcp_servers``.
        sandbox_clients: Sandbox backends the workflows may use, by name
            (``workflow.temporal_sandbox_client(name)``); each registers its own activities.
        register_activities: Register the model (and MCP) activities on workers. Turn off for a
            worker that only runs workflows while other workers serve the activities.
        add_temporal_spans: Draw ``temporal:*`` spans (``temporal:startWorkflow:<type>``,
            ``temporal:executeWorkflow``, ``temporal:startActivity``,
            ``temporal:executeActivity``, ...) in Agents SDK traces, as the published
            integration does; without them traces still travel between client, workflows and
            activities.
        use_otel_instrumentation: Export Agents SDK spans through OpenTelemetry, into the
            global tracer provider, which must be replay safe (see
            ``agents_temporal.opentelemetry.create_tracer_provider``).
        resolvable_worker_env_vars: The environment variables of this worker that workflows
            may name as secrets (``temporal_worker_env_ref(name)`` in hosted tool credentials,
            ``TemporalWorkerEnvValue(name=...)`` in sandbox manifests), or
            ``AllowAllWorkerEnvVars()``. None by default; the names are copied when the
            plugin is made.
        mcp_servers: MCP servers the workflows may use through
            ``workflow.temporal_mcp_server(name)``: a factory per name that builds an Agents SDK
            MCP server, taking no argument or one (the workflow's ``factory_argument``).
        mcp_connection_idle_timeout: How long a shared MCP connection stays open unused
            (default five minutes); None keeps it until the worker stops, zero never shares.
            Only servers that speak a stateless MCP revision are shared.
        trace_content: With ``use_otel_instrumentation``, whether exported spans carry
            messages, tool arguments and outputs, and the text of errors. ``False`` keeps only
            their structure (names, timings, token counts, error types), as payload
            encryption calls for; it holds for the whole process once any plugin in it sets
            it.

    Raises:
        ImportError: ``use_otel_instrumentation`` without the ``otel`` extra installed.
        ValueError: ``use_otel_instrumentation`` while the global tracer provider is not a
            ``ReplaySafeTracerProvider``; or a ``model_provider`` with neither
            ``start_to_close_timeout`` nor ``schedule_to_close_timeout`` in ``model_params``; or
            two sandbox clients with one name.
        TypeError: ``resolvable_worker_env_vars`` given as a single string.
    """

    def __init__(
        self,
        model_params: ModelActivityParameters | None = None,
        model_provider: ModelProvider | None = None,
        mcp_server_providers: Sequence[MCPServerProvider] = (),
        sandbox_clients: Sequence[SandboxClientProvider] = (),
        register_activities: bool = True,
        add_temporal_spans: bool = True,
        use_otel_instrumentation: bool = False,
        resolvable_worker_env_vars: Collection[str] | AllowAllWorkerEnvVars = (),
        *,
        mcp_servers: Mapping[str, ServerFactory] | None = None,
        mcp_connection_idle_timeout: timedelta | None = DEFAULT_IDLE_TIMEOUT,
        trace_content: bool = True,
    ) -> None:
        if mcp_server_providers:
            warnings.warn(
                "OpenAIAgentsPlugin(mcp_server_providers=...) is deprecated, as in Temporal's "
                "published integration: register the servers with mcp_servers={name: factory} "
                "and use workflow.temporal_mcp_server(name)",
                DeprecationWarning,
                stacklevel=2,
            )
        self.model_params = _model_params(model_params, model_provider)
        self.model_provider = model_provider
        self.mcp_server_providers = tuple(mcp_server_providers)
        self.use_otel_instrumentation = use_otel_instrumentation
        self.trace_content = trace_content
        self.add_temporal_spans = add_temporal_spans
        self.mcp_servers = dict(mcp_servers or {})
        self.mcp_connection_idle_timeout = mcp_connection_idle_timeout
        if use_otel_instrumentation:
            check_otel_ready()
        self._mcp_servers = PooledMCPServers(mcp_servers or {}, mcp_connection_idle_timeout)
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
            pooled_mcp_server_names=self._mcp_servers.names,
        )
        self._model_activity = ModelActivity(model_provider, self.resolvable_worker_env_vars)
        self._running_workers = 0
        self._workers_per_loop: dict[asyncio.AbstractEventLoop, int] = {}
        activities: list[Any] = []
        if register_activities:
            activities.append(self._model_activity.invoke_model)
            activities.append(self._model_activity.invoke_model_legacy)
            activities.append(self._model_activity.stream_model)
            activities.append(self._model_activity.stream_model_to_topic)
            activities.extend(provider_activities(self.mcp_server_providers))
            activities.extend(self._mcp_servers.activities())
            for provider in self.sandbox_clients:
                activities.extend(provider._get_activities(self.resolvable_worker_env_vars))  # pyright: ignore[reportPrivateUsage]
        self._own_activities = tuple(activities)
        super().__init__(
            name="agents_temporal.OpenAIAgentsPlugin",
            data_converter=with_agents_converter,
            interceptors=[AgentsInterceptor(context), AgentsTracingInterceptor(add_temporal_spans)],
            activities=activities,
            workflow_runner=_with_passthrough,
            run_context=self._while_worker_runs,
        )

    def configure_worker(self, config: WorkerConfig) -> WorkerConfig:
        """See base class; also builds what the first workflow tasks would (`warm_up_worker`)."""
        config = super().configure_worker(config)
        warm_up_worker(config, not_tools=self._own_activities)
        return config

    @contextlib.asynccontextmanager
    async def _while_worker_runs(self) -> AsyncGenerator[None]:
        # Stays installed after the worker stops: it gives every data converter the SDK's
        # result, only faster for those without a codec or payload storage.
        idle_passes.install()
        # Process-wide too, and right for every sandboxed runner (see the module).
        _sandbox_builtins.install()
        async with _RUNNER.active():
            build_stream_event_types()
            if self.use_otel_instrumentation:
                enable_otel_export(redact_content=not self.trace_content)
            self._running_workers += 1
            loop = asyncio.get_running_loop()
            self._workers_per_loop[loop] = self._workers_per_loop.get(loop, 0) + 1
            try:
                yield
            finally:
                # MCP connections belong to an event loop: the last worker on a loop closes
                # the ones its activities shared.
                self._workers_per_loop[loop] -= 1
                if self._workers_per_loop[loop] == 0:
                    del self._workers_per_loop[loop]
                    await self._mcp_servers.pool.close()
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
