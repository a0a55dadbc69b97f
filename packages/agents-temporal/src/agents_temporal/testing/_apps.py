"""Tests, client and worker: an agent app served by a worker of its own, as the worker app does."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic

from agents import ModelProvider
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from .._apps import AgentApp, SettingsT, workflow_type
from .._conversation.client import ConversationHandle
from .._conversation.types import ConversationInput
from .._params import ModelActivityParameters
from .._plugin import OpenAIAgentsPlugin


@dataclass(frozen=True)
class RunningApp(Generic[SettingsT]):
    """An agent app served by a test worker (see `run_app`)."""

    app: AgentApp[SettingsT]
    """The app."""

    client: Client
    """A client with the plugin, to start and talk to the app's workflows."""

    task_queue: str
    """The worker's task queue."""

    settings: SettingsT
    """The app's settings the worker was given."""

    worker: Worker
    """The running worker."""

    async def start_conversation(
        self, input: ConversationInput | None = None, *, id: str | None = None, **options: Any
    ) -> ConversationHandle:
        """Start a conversation on the app's conversation workflow.

        Args:
            input: Limits stricter than the workflow's, and the initial context.
            id: The workflow id; default ``<app name>-<random>``.
            **options: More ``Client.start_workflow`` options.
        """
        return await ConversationHandle.start(
            self.client,
            workflow_type(self.app.conversation_workflow),
            id=id or f"{self.app.name}-{uuid.uuid4()}",  # noqa: TID251 - ids outside workflows
            task_queue=self.task_queue,
            input=input,
            **options,
        )


@contextlib.asynccontextmanager
async def run_app(
    app: AgentApp[SettingsT],
    client: Client,
    *,
    task_queue: str | None = None,
    settings: SettingsT | None = None,
    model_provider: ModelProvider | None = None,
    model_params: ModelActivityParameters | None = None,
    max_concurrent_workflow_tasks: int = 8,
) -> AsyncGenerator[RunningApp[SettingsT]]:
    """Serve ``app`` on a worker of its own while the block runs, as the worker app would.

    The worker registers the app's workflows and activities (its activity factory opened with
    ``settings``), its MCP server providers, its sandbox pass-through modules, and the model
    activity with the app's offline model, so a test runs the app as deployed, against a real
    Temporal server and with no model key::

        async with run_app(app, temporal_client) as running:
            conversation = await running.start_conversation()
            reply = await conversation.send("Hello")

    Args:
        app: The agent app.
        client: A client of the Temporal server (the ``temporal_client`` fixture); its data
            converter is kept (encryption, payload storage), and the plugin is added.
        task_queue: The worker's task queue; default a fresh one.
        settings: The app's settings; default read from the environment only (no ``.env``), so
            a developer's ``.env`` cannot change a test.
        model_provider: The models; default the app's offline model (closed at the end; a
            provider given here is the caller's to close).
        model_params: How model calls are scheduled.
        max_concurrent_workflow_tasks: As ``WORKER_MAX_CONCURRENT_WORKFLOW_TASKS``.

    Raises:
        ValueError: No ``model_provider`` is given and the app has no offline model.
    """
    owned = model_provider is None
    if model_provider is None:
        if app.offline_model_provider is None:
            raise ValueError(
                f"Agent app {app.name!r} has no offline model: pass model_provider= (say, "
                "agents_temporal.testing.TestModelProvider) or give the app one"
            )
        model_provider = app.offline_model_provider()
    if settings is None:
        settings = app.settings(_env_file=None)  # pyright: ignore[reportCallIssue]
    plugin = OpenAIAgentsPlugin(
        model_params=model_params,
        model_provider=model_provider,
        mcp_server_providers=app.worker_mcp_server_providers(settings),
        mcp_servers=app.worker_mcp_servers(settings),
    )
    config = client.config()
    config["plugins"] = [*config.get("plugins", []), plugin]
    client = Client(**config)
    queue = task_queue or f"{app.name}-test-{uuid.uuid4().hex[:12]}"  # noqa: TID251 - test ids
    runner = SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(
            *app.sandbox_passthrough_modules
        )
    )
    try:
        async with app.worker_activities(settings) as activities:
            worker = Worker(
                client,
                task_queue=queue,
                workflows=list(dict.fromkeys([app.conversation_workflow, *app.workflows])),
                activities=list(activities),
                workflow_runner=runner,
                max_concurrent_workflow_tasks=max_concurrent_workflow_tasks,
                graceful_shutdown_timeout=timedelta(seconds=5),
            )
            async with worker:
                yield RunningApp(app, client, queue, settings, worker)
    finally:
        if owned:
            await model_provider.aclose()
