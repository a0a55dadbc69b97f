"""Workflow side: how model calls are scheduled as Temporal activities."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from temporalio.common import Priority, RetryPolicy
from temporalio.workflow import ActivityCancellationType

SummaryProvider = Callable[[str, str | None], str]
"""Builds an activity summary from the agent name and the model name."""


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

    summary_override: str | SummaryProvider | None = None
    """Summary shown for each model call in the Temporal Web UI; defaults to the agent name."""

    priority: Priority = Priority.default
    """Priority of model activities."""

    use_local_activity: bool = False
    """Run model calls as local activities: lower latency, fewer history events, but a call
    that outlives the workflow task timeout is retried from the start."""

    streaming_topic: str | None = None
    """The topic of the workflow's ``WorkflowStream`` (``temporalio.contrib.workflow_streams``)
    that ``Runner.run_streamed`` model calls publish their raw stream events to, as Temporal's
    published integration does. A workflow with a ``StreamEventLog`` (every
    ``ConversationWorkflow``) streams to its log instead; see the library README."""

    streaming_batch_interval: timedelta = timedelta(milliseconds=100)
    """How long streamed events gather in the activity before one batch goes to the topic."""

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

    def summary_for(self, agent_name: str, model_name: str | None) -> str:
        """The Web UI summary for a call made by ``agent_name``."""
        if isinstance(self.summary_override, str):
            return self.summary_override
        if self.summary_override is not None:
            return self.summary_override(agent_name, model_name)
        return f"{agent_name}: model call" if model_name is None else f"{agent_name} ({model_name})"
