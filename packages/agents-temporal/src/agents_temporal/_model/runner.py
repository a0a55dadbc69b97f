"""Workflow side: the agent runner that makes ``Runner.run`` durable inside workflows."""

from __future__ import annotations

import dataclasses
from typing import Any

from agents import Agent, Model, RunConfig, RunResult, RunResultStreaming, SQLiteSession
from agents.run import AgentRunner

from .._errors import AgentsWorkflowError
from .._tracing.provider import continue_resumed_trace, workflow_tracing_disabled
from .._workflow_context import current_context, in_workflow
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
