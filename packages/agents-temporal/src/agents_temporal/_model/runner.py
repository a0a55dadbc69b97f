"""Workflow side: the agent runner that makes ``Runner.run`` durable inside workflows."""

from __future__ import annotations

import dataclasses
from typing import Any

from agents import Agent, Model, RunConfig, RunResult, RunResultStreaming, SQLiteSession
from agents.exceptions import AgentsException
from agents.run import AgentRunner
from agents.sandbox import SandboxAgent
from temporalio import workflow

from .._errors import AGENTS_FAILURE_PREFIX, AgentsWorkflowError, failure_detail
from .._tracing.provider import continue_resumed_trace, workflow_tracing_disabled
from .._workflow_context import current_context, in_workflow
from ..sandbox._workflow_client import TemporalSandboxClient
from .specs import tool_spec
from .workflow_model import ActivityModelProvider, AgentTracker, TrackingHooks


def _check_agents(agent: Agent[Any], seen: set[int]) -> None:
    """Refuse, before any model call, what cannot run durably in a workflow."""
    if id(agent) in seen:
        return
    seen.add(id(agent))
    if isinstance(agent.model, Model):
        raise AgentsWorkflowError(
            f"Agent {agent.name!r} was given a Model object; inside a workflow give the model as a "
            "name (Agent(model='gpt-4.1') or None for the default) and choose the provider on the "
            "worker with OpenAIAgentsPlugin(model_provider=...)"
        )
    for tool in agent.tools:
        tool_spec(tool)  # raises the clear refusal for LocalShellTool, ComputerTool, ...
    for target in agent.handoffs:
        if isinstance(target, Agent):
            _check_agents(target, seen)


class SandboxConfigError(AgentsWorkflowError, ValueError):
    """A run's sandbox configuration cannot work in a workflow.

    A ``ValueError`` as in the published integration, and an ``AgentsWorkflowError`` so that
    it fails the workflow with its message instead of failing workflow tasks forever.
    """


def _has_sandbox_agent(agent: Agent[Any], seen: set[int]) -> bool:
    if id(agent) in seen:
        return False
    seen.add(id(agent))
    if isinstance(agent, SandboxAgent):
        return True
    return any(
        isinstance(target, Agent) and _has_sandbox_agent(target, seen) for target in agent.handoffs
    )


_SANDBOX_EXAMPLE = (
    "RunConfig(sandbox=SandboxRunConfig(client=temporal_sandbox_client('local'))), with "
    "temporal_sandbox_client from agents_temporal.workflow and 'local' the name of a "
    "SandboxClientProvider given to OpenAIAgentsPlugin(sandbox_clients=[...]) on the workers"
)


def _check_sandbox(starting_agent: Agent[Any], config: RunConfig) -> None:
    """Refuse a sandbox configuration that cannot run durably, before anything runs."""
    sandbox = config.sandbox
    if sandbox is None:
        if _has_sandbox_agent(starting_agent, set()):
            raise SandboxConfigError(
                "A SandboxAgent can be reached in this run but run_config.sandbox is not "
                f"configured: pass {_SANDBOX_EXAMPLE}."
            )
        return
    if sandbox.session is not None:
        raise AgentsWorkflowError(
            "run_config.sandbox.session cannot be used in a workflow: a live sandbox session "
            "lives in one process and does not survive a worker restart. Pass "
            "run_config.sandbox.client=temporal_sandbox_client(name) instead, and the workers "
            "keep the session."
        )
    if sandbox.client is None:
        raise SandboxConfigError(
            "run_config.sandbox.client must be set to a Temporal sandbox client: pass "
            f"{_SANDBOX_EXAMPLE}."
        )
    if not isinstance(sandbox.client, TemporalSandboxClient):
        raise SandboxConfigError(
            f"run_config.sandbox.client is a {type(sandbox.client).__name__}, which would run "
            "the sandbox inside the workflow: make it with temporal_sandbox_client(name) and "
            "give the real client to a SandboxClientProvider on the workers."
        )


def _workflow_run_config(run_config: RunConfig | dict[str, Any] | None) -> RunConfig:
    if isinstance(run_config, dict):
        run_config = RunConfig(**run_config)
    config = run_config or RunConfig()
    if isinstance(config.model, Model):
        raise AgentsWorkflowError(
            "RunConfig(model=...) was given a Model object; inside a workflow pass a model name "
            "and choose the provider on the worker with OpenAIAgentsPlugin(model_provider=...)"
        )
    return config


def workflow_failure(error: AgentsException) -> AgentsWorkflowError | None:
    """The run failure for an Agents SDK error caused by a Temporal failure, else None.

    The SDK wraps what a tool raised (an activity tool that failed for good raises its
    ``ActivityError``) in its own ``UserError``, which a workflow would treat as a bug and
    retry for ever; the published integration fails the run instead, with this message.
    """
    cause = error.__cause__
    if cause is None or not workflow.is_failure_exception(cause):
        return None
    message = f"{AGENTS_FAILURE_PREFIX}: {error}"
    detail = failure_detail(cause)
    if detail not in message:
        message = f"{message}: {detail}"
    return AgentsWorkflowError(message)


class TemporalAgentRunner(AgentRunner):
    """Runs agents as usual outside workflows; inside them, every model call is an activity."""

    def _prepare(self, starting_agent: Agent[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        context = current_context()
        session = kwargs.get("session")
        if isinstance(session, SQLiteSession):
            raise AgentsWorkflowError(
                "SQLiteSession does file I/O, which a workflow cannot replay; use "
                "agents_temporal.workflow.WorkflowSession, which keeps the conversation in "
                "workflow state"
            )
        _check_agents(starting_agent, set())
        tracker = AgentTracker()
        config = _workflow_run_config(kwargs.get("run_config"))
        _check_sandbox(starting_agent, config)
        config = dataclasses.replace(
            config,
            model_provider=ActivityModelProvider(context.model_params, tracker),
            # Traced when the trace provider is replay safe (deterministic ids, nothing
            # exported again on replay); off otherwise.
            tracing_disabled=workflow_tracing_disabled(config),
        )
        return {
            **kwargs,
            "run_config": config,
            "hooks": TrackingHooks(kwargs.get("hooks"), tracker),
        }

    async def run(self, starting_agent: Any, input: Any, **kwargs: Any) -> RunResult:
        if in_workflow():
            agent = starting_agent
            kwargs = self._prepare(agent, kwargs)
            continue_resumed_trace(input)
            try:
                return await super().run(starting_agent, input, **kwargs)
            except AgentsException as error:
                if (failure := workflow_failure(error)) is not None:
                    raise failure from error.__cause__
                raise
        return await super().run(starting_agent, input, **kwargs)

    def run_sync(self, starting_agent: Any, input: Any, **kwargs: Any) -> RunResult:
        if in_workflow():
            raise AgentsWorkflowError(
                "Runner.run_sync cannot be used in a workflow, whose event loop is already "
                "running: use `await Runner.run(...)`"
            )
        return super().run_sync(starting_agent, input, **kwargs)

    def run_streamed(self, starting_agent: Any, input: Any, **kwargs: Any) -> RunResultStreaming:
        if in_workflow():
            kwargs = self._prepare(starting_agent, kwargs)
            continue_resumed_trace(input)
        return super().run_streamed(starting_agent, input, **kwargs)
