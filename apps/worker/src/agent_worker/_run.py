"""Running the worker: discover apps, connect, register, serve until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any, TextIO

from temporalio.common import VersioningBehavior
from temporalio.worker import Worker, WorkerDeploymentConfig
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from agent_stack.apps import NoAgentAppError
from agent_stack.connection import connect
from agent_stack.health import STUCK_EXIT_CODE, HealthServer
from agent_stack.settings import Settings, load_app_settings
from agent_stack.signals import stop_on_signals
from agent_stack.tracing import configure_tracing
from agent_worker._heap import settle_heap
from agent_worker._logging import configure_logging
from agent_worker._models import model_provider
from agents_temporal import ModelActivityParameters, OpenAIAgentsPlugin
from agents_temporal.apps import AgentApp, AppSettings

GRACEFUL_SHUTDOWN = timedelta(seconds=60)
"""How long running activities may finish after SIGTERM before they are cancelled."""

_STUCK_SHUTDOWN_SECONDS = 10.0
"""How long a stuck worker tries to shut down before it leaves anyway (it cannot finish)."""


class WorkerStuckError(RuntimeError):
    """The worker held workflows it could not evict for ``WORKER_STUCK_EXIT_SECONDS``.

    The process cannot end cleanly (the stuck workflow threads never finish), so the ``worker``
    command exits at once with `STUCK_EXIT_CODE`, and its supervisor starts a fresh one that
    picks the workflows up.
    """


DEFAULT_VERSIONING_BEHAVIOR = VersioningBehavior.AUTO_UPGRADE
"""How workflows move between builds under Worker Versioning, unless their class says else.

Auto-upgrade: a conversation's next workflow task runs on the deployment's current build, so
an old build drains as soon as its running activities end, however long conversations live.
The price is that a new build must replay the old one's histories (`workflow.patched` for any
change of the commands a workflow emits); see DESIGN.md, "Deploys". A workflow class may
still choose ``@workflow.defn(versioning_behavior=VersioningBehavior.PINNED)``.
"""

NEEDED_BY = "the worker has nothing to run"
"""What the worker's refusal to start without an agent app says cannot happen."""


def _workflows(count: int) -> str:
    return f"{count} workflow" if count == 1 else f"{count} workflows"


def summary(
    settings: Settings,
    apps: Sequence[AgentApp[Any]],
    model: str,
    mcp_servers: Sequence[str] = (),
    app_settings: Mapping[str, AppSettings] | None = None,
) -> str:
    """The start-up summary: everything an operator needs to know at a glance.

    Each app's own settings get a line of their own, with secrets and URL passwords masked.
    """
    names = ", ".join(f"{a.name} ({_workflows(len(a.workflows))})" for a in apps)
    lines = [
        "agent worker starting",
        f"  apps:        {names or 'none'}",
        f"  model:       {model}",
        f"  mcp servers: {', '.join(mcp_servers) or 'none'}",
        f"  temporal:    {settings.temporal_address} namespace={settings.temporal_namespace}",
        f"  task queue:  {settings.temporal_task_queue}",
        f"  payloads:    {_payloads(settings)}",
        f"  versioning:  {_versioning(settings)}",
    ]
    for name, own in (app_settings or {}).items():
        described = own.describe()
        if described:
            values = " ".join(f"{key}={value}" for key, value in described.items())
            lines.append(f"  {name + ' app:':<12} {values}")
    return "\n".join(lines)


def _payloads(settings: Settings) -> str:
    where = {
        "local": f"stored in {settings.payload_storage_dir} above "
        f"{settings.payload_storage_threshold_bytes} bytes",
        "s3": f"stored in s3://{settings.payload_s3_bucket}/{settings.payload_s3_prefix}",
        "off": "all in history",
    }[settings.payload_storage]
    keyring = settings.encryption_keyring()
    encryption = f"encrypted with key {keyring.current_key_id!r}" if keyring else "not encrypted"
    return f"{where}, {encryption}"


def _mcp_servers(
    apps: Sequence[AgentApp[Any]], own: Mapping[str, AppSettings]
) -> dict[str, Callable[..., Any]]:
    """Every app's MCP servers, refusing a name two apps use (workflows find servers by name)."""
    servers: dict[str, Callable[..., Any]] = {}
    owners: dict[str, str] = {}
    for app in apps:
        for name, factory in app.worker_mcp_servers(own[app.name]).items():
            if name in owners:
                raise ValueError(
                    f"Agent apps {owners[name]!r} and {app.name!r} both name an MCP server "
                    f"{name!r}: workflows find servers by name, so rename one"
                )
            servers[name], owners[name] = factory, app.name
    return servers


def _versioning(settings: Settings) -> str:
    version = settings.worker_deployment()
    if version is None:
        return "off (set WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID to turn it on)"
    # A versioned worker gets no work until its version is current: say how, where it shows.
    return (
        f"deployment {version.deployment_name!r} build {version.build_id!r}, workflows "
        "auto-upgrade; this build gets work once current: temporal worker deployment "
        f"set-current-version --deployment-name {version.deployment_name} "
        f"--build-id {version.build_id}"
    )


def deployment_config(settings: Settings) -> WorkerDeploymentConfig | None:
    """The worker's Worker Versioning options, or None when the settings leave it off."""
    version = settings.worker_deployment()
    if version is None:
        return None
    return WorkerDeploymentConfig(
        version=version,
        use_worker_versioning=True,
        default_versioning_behavior=DEFAULT_VERSIONING_BEHAVIOR,
    )


def workflow_runner(apps: Sequence[AgentApp[Any]]) -> SandboxedWorkflowRunner:
    """The sandbox every app's workflows run in, sharing the modules the apps pass through."""
    modules = sorted({name for app in apps for name in app.sandbox_passthrough_modules})
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*modules)
    )


async def run_worker(
    settings: Settings,
    apps: Sequence[AgentApp[Any]],
    *,
    app_settings: Mapping[str, AppSettings] | None = None,
    stop: asyncio.Event | None = None,
    ready_event: asyncio.Event | None = None,
    out: TextIO = sys.stdout,
    own_process: bool = False,
) -> None:
    """Serve every app's workflows and activities until ``stop`` is set (or SIGTERM/SIGINT).

    Args:
        settings: The stack's settings.
        apps: The apps to serve; at least one.
        app_settings: Each app's own settings by app name (`load_app_settings`); an app left
            out gets them from the environment and ``.env``.
        stop: Set it to stop the worker; SIGTERM and SIGINT set it too.
        ready_event: Set once the worker polls its task queue.
        out: Where the summary and status lines go.
        own_process: The process is the worker's alone: once the worker is built and warmed
            up, set the garbage collector for it (`settle_heap`).

    Raises:
        NoAgentAppError: ``apps`` is empty.
        SettingsError: An app's own settings are invalid.
        TemporalUnreachableError: Temporal does not answer.
    """
    if not apps:
        raise NoAgentAppError(NEEDED_BY)
    own = _app_settings(apps, app_settings or {})
    say = functools.partial(print, file=out, flush=True)
    provider, model = model_provider(settings, apps)
    # Spans go to OTEL_EXPORTER_OTLP_ENDPOINT when it is set, and never to OpenAI unless asked.
    tracing = configure_tracing(settings, "worker")
    mcp_providers = [
        provider for app in apps for provider in app.worker_mcp_server_providers(own[app.name])
    ]
    mcp_servers = _mcp_servers(apps, own)
    plugin = OpenAIAgentsPlugin(
        model_params=ModelActivityParameters(
            start_to_close_timeout=timedelta(seconds=settings.model_timeout_seconds),
            # A worker that dies mid-call is noticed within this, not at the call's timeout.
            heartbeat_timeout=timedelta(seconds=settings.model_heartbeat_timeout_seconds),
            max_tool_calls_per_response=settings.model_max_tool_calls,
        ),
        model_provider=provider,
        # The session-era form warns that it is deprecated only when an app still uses it.
        mcp_server_providers=mcp_providers,
        mcp_servers=mcp_servers,
        **tracing.plugin_options(),
    )

    client = await connect(settings, [plugin])
    stop = stop or asyncio.Event()
    remove_handlers = stop_on_signals(stop)
    ready = False
    try:
        async with contextlib.AsyncExitStack() as stack:
            activities: list[Any] = []
            for app in apps:
                opened = app.worker_activities(own[app.name])
                activities.extend(await stack.enter_async_context(opened))
            workflows = list(dict.fromkeys(w for app in apps for w in app.workflows))
            worker = Worker(
                client,
                task_queue=settings.temporal_task_queue,
                workflows=workflows,
                activities=activities,
                max_concurrent_activities=settings.worker_max_concurrent_activities,
                max_concurrent_workflow_tasks=settings.worker_max_concurrent_workflow_tasks,
                sticky_queue_schedule_to_start_timeout=timedelta(
                    seconds=settings.worker_sticky_queue_timeout_seconds
                ),
                graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
                workflow_runner=workflow_runner(apps),
                deployment_config=deployment_config(settings),
            )
            if own_process:
                # After the plugin's warm-up (in the Worker's constructor), before any task.
                settle_heap()
            if settings.worker_health_port:
                health = HealthServer(
                    settings.worker_health_port,
                    lambda: ready,
                    problem=lambda: stuck_workflows_problem(worker),
                    host=settings.worker_health_host,
                )
                await health.start()
                stack.push_async_callback(health.stop)
            say(
                summary(
                    settings, apps, model, [*mcp_servers, *(p.name for p in mcp_providers)], own
                )
            )
            running = asyncio.create_task(worker.run())
            stuck: str | None = None
            try:
                ready = True
                say("agent worker ready: polling for tasks (Ctrl-C to stop)")
                if ready_event is not None:
                    ready_event.set()
                stuck = await _stopped_or_stuck(
                    stop,
                    running,
                    lambda: stuck_workflows_problem(worker),
                    settings.worker_stuck_exit_seconds,
                )
            finally:
                ready = False
                if stuck is None:
                    if not running.done():
                        say("agent worker stopping: letting running activities finish")
                    await worker.shutdown()
            if stuck is not None:
                say(f"agent worker stuck: {stuck}; leaving")
                # Its shutdown waits for the stuck workflows, which never end: bound it.
                shutdown = asyncio.create_task(worker.shutdown())
                await asyncio.wait({shutdown}, timeout=_STUCK_SHUTDOWN_SECONDS)
                raise WorkerStuckError(stuck)
            await running
    finally:
        remove_handlers()
        await provider.aclose()
    say("agent worker stopped")


def serve_worker(
    settings: Settings,
    apps: Sequence[AgentApp[Any]],
    *,
    app_settings: Mapping[str, AppSettings] | None = None,
) -> int:
    """Run `run_worker` as this process's work; returns 0 once stopped.

    When workflows stay stuck on the worker, this ends the process at once with
    `STUCK_EXIT_CODE`: the stuck workflow threads would keep a normal exit waiting forever.
    """
    configure_logging()
    with asyncio.Runner() as runner:
        try:
            runner.run(run_worker(settings, apps, app_settings=app_settings, own_process=True))
        except WorkerStuckError:
            print(
                f"worker: workflows are stuck on this worker (see above); exiting with code "
                f"{STUCK_EXIT_CODE} so that a fresh worker takes them over",
                file=sys.stderr,
                flush=True,
            )
            sys.stdout.flush()
            os._exit(STUCK_EXIT_CODE)
    return 0


def _app_settings(
    apps: Sequence[AgentApp[Any]], given: Mapping[str, AppSettings]
) -> dict[str, AppSettings]:
    """Each app's own settings: as given, else loaded; of the class the app declares."""
    missing = [app for app in apps if app.name not in given]
    loaded = {**given, **load_app_settings(missing)} if missing else dict(given)
    for app in apps:
        if not isinstance(loaded[app.name], app.settings):
            raise TypeError(
                f"The settings given for agent app {app.name!r} are a "
                f"{type(loaded[app.name]).__name__}, not its {app.settings.__name__}"
            )
    return {app.name: loaded[app.name] for app in apps}


async def _stopped_or_stuck(
    stop: asyncio.Event,
    running: asyncio.Task[None],
    problem: Callable[[], str | None],
    limit: int,
) -> str | None:
    """Wait for ``stop``, or for the worker to end; or until it stays stuck too long.

    Returns:
        None once ``stop`` is set or the worker ended on its own; ``problem()``'s answer once it
        has found a problem for ``limit`` seconds without a break (never, when ``limit`` is 0:
        WORKER_STUCK_EXIT_SECONDS).
    """
    stopping = asyncio.create_task(stop.wait())
    stuck_since: float | None = None
    loop = asyncio.get_running_loop()
    try:
        while True:
            await asyncio.wait(
                {stopping, running},
                timeout=min(5.0, limit / 4) if limit else None,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if stopping.done() or running.done():
                return None
            found = problem()
            if found is None:
                stuck_since = None
            elif stuck_since is None:
                stuck_since = loop.time()
            elif loop.time() - stuck_since >= limit:
                return found
    finally:
        stopping.cancel()


def stuck_workflows_problem(worker: Worker) -> str | None:
    """Why the worker needs a restart: workflows it holds but can never finish; else None.

    A workflow task that runs over 2 s is failed as a deadlock, and the Temporal SDK (1.35)
    often cannot evict such a workflow afterwards: it stays on this worker, which never runs it
    again, until the process ends. The SDK keeps the count on its workflow worker; an SDK
    without that count reads as none.
    """
    workflows = getattr(worker, "_workflow_worker", None)
    stuck = int(getattr(workflows, "_could_not_evict_count", 0) or 0)
    if not stuck:
        return None
    return (
        f"{stuck} workflow(s) could not be evicted after a workflow task ran over 2 s; "
        "restart this worker so that another one picks them up"
    )
