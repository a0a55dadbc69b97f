"""Workflow side: token accounting, every model call's usage summed per conversation and agent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agents import Agent, ModelResponse, RunContextWrapper, RunHooks
from temporalio import workflow

from .._hooks import ForwardingRunHooks
from .usage_types import ModelCallUsage, UsageReport, UsageTotals


class UsageHooks(ForwardingRunHooks):
    """Run hooks that record each model call's usage in a ``UsageReport``.

    Pass them to ``Runner.run(..., hooks=UsageHooks(report))`` in a workflow; the report can
    then be returned by a query. Other hooks can be chained through ``inner``.

    Args:
        report: Where calls are recorded.
        turn: Conversation turn to note on each call.
        inner: Hooks to call after recording (every hook is forwarded).
    """

    def __init__(
        self, report: UsageReport, turn: int = 0, inner: RunHooks[Any] | None = None
    ) -> None:
        super().__init__(inner)
        self._report = report
        self._turn = turn

    async def on_llm_end(
        self, context: RunContextWrapper[Any], agent: Agent[Any], response: ModelResponse
    ) -> None:
        self._report.record(
            ModelCallUsage(
                agent=agent.name,
                turn=self._turn,
                at=workflow.now() if workflow.in_workflow() else datetime.now().astimezone(),
                usage=UsageTotals.from_usage(response.usage),
            )
        )
        await super().on_llm_end(context, agent, response)
