"""Workflow side: how model calls are scheduled as Temporal activities."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from agents import Agent, TResponseInputItem
from temporalio.common import Priority, RetryPolicy
from temporalio.workflow import ActivityCancellationType, VersioningIntent

SummaryProvider = Callable[[str, str | None], str]
"""Builds an activity summary from the agent name and the model name."""


@runtime_checkable
class ModelSummaryProvider(Protocol):
    """Builds the Web UI summary of a model call from what the call is about.

    The published integration's form: any object with this ``provide`` method will do.
    """

    def provide(
        self,
        agent: Agent[Any] | None,
        instructions: str | None,
        input: str | list[TResponseInputItem],
    ) -> str:
        """The summary of a call that ``agent`` makes with ``instructions`` and ``input``."""
        ...


@dataclass(frozen=True)
class ModelActivityParameters:
    """Options for the activity that runs each model call.

    The defaults suit hosted models: a minute per attempt, Temporal's default retry policy
    (retry transient failures forever with exponential back-off; provider 4xx errors other than
    408, 409 and 429 are never retried).
    """

    task_queue: str | None = None
    """Task queue for model activities; defaults to the workflow's own task queue."""

    schedule_to_close_timeout: timedelta | None = None
    """Total time allowed for a model call, across every retry."""

    schedule_to_start_timeout: timedelta | None = None
    """How long a model call may wait for a worker to pick it up."""

    start_to_close_timeout: timedelta | None = timedelta(seconds=60)
    """Time allowed for one attempt of a model call."""

    heartbeat_timeout: timedelta | None = None
    """When set, the model activity heartbeats so a lost worker is noticed within this time."""

    retry_policy: RetryPolicy | None = None
    """Retry policy for model calls; None means Temporal's default policy."""

    cancellation_type: ActivityCancellationType = ActivityCancellationType.TRY_CANCEL
    """What cancelling the workflow does to a model call in flight."""

    versioning_intent: VersioningIntent | None = None
    """Whether model activities run on the workflow's Build ID (worker versioning)."""

    summary_override: str | ModelSummaryProvider | SummaryProvider | None = None
    """Summary shown for each model call in the Temporal Web UI; defaults to the agent name.

    A string, an object with ``provide(agent, instructions, input)`` (as the published
    integration takes), or a function of the agent name and the model name.
    """

    priority: Priority = Priority.default
    """Priority of model activities."""

    use_local_activity: bool = False
    """Run model calls as local activities: lower latency, fewer history events, but a call
    that outlives the workflow task timeout is retried from the start."""

    streaming_topic: str | None = None
    """Topic of the workflow's ``WorkflowStream`` that ``Runner.run_streamed`` publishes raw
    model stream events to, as the published integration does."""

    streaming_batch_interval: timedelta = timedelta(milliseconds=100)
    """The least time between two publishes of the streaming model activity."""

    _: KW_ONLY
    # Ours, beyond the published integration's parameters: keyword-only, so positional
    # callers of theirs mean the same here.

    max_tool_calls_per_response: int = 64
    """The most tool calls one model response may hold (handoffs and hosted tools count).

    The workflow handles all the calls of a response in one workflow task, which Temporal fails
    as a deadlock after 2 s; a model talked into thousands of calls would make every attempt
    of that task fail and freeze the worker. The model activity refuses a response with more
    calls as a non-retryable error, so the turn fails with a message saying so and nothing ran.
    """

    def __post_init__(self) -> None:
        if self.max_tool_calls_per_response < 1:
            raise ValueError(
                "ModelActivityParameters.max_tool_calls_per_response must be at least 1, got "
                f"{self.max_tool_calls_per_response}"
            )

    def summary_for(
        self,
        agent: Agent[Any] | None,
        agent_name: str,
        model_name: str | None,
        instructions: str | None,
        input: str | list[TResponseInputItem],
    ) -> str:
        """The Web UI summary for a call made by ``agent`` (named ``agent_name``)."""
        override = self.summary_override
        if override is None:
            # First: the default needs no runtime-checkable Protocol test on every call.
            if model_name is None:
                return f"{agent_name}: model call"
            return f"{agent_name} ({model_name})"
        if isinstance(override, str):
            return override
        if isinstance(override, ModelSummaryProvider):
            return override.provide(agent, instructions, input)
        return override(agent_name, model_name)
