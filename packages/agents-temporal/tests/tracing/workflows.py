"""Workflows traced by the tracing tests (their own module: the sandbox re-imports it)."""

from __future__ import annotations

from datetime import timedelta

import opentelemetry.trace
from agents import Agent, Runner, custom_span, get_current_trace, trace
from temporalio import activity, workflow

from agents_temporal._tracing.context import TraceScope
from agents_temporal.workflow import activity_as_tool

TIMEOUT = timedelta(seconds=10)


@activity.defn
async def lookup_order(order_id: str) -> str:
    """Look an order up in the store."""
    # Spans made inside an activity join the workflow's trace, under the activity's span.
    with custom_span("store lookup", data={"order_id": order_id}):
        current = get_current_trace()
        return f"Order {order_id} shipped on Monday (trace {current and current.trace_id})"


def triage_agent() -> Agent[None]:
    orders = Agent[None](
        name="Orders",
        instructions="Answer questions about orders.",
        tools=[activity_as_tool(lookup_order, start_to_close_timeout=TIMEOUT)],
    )
    return Agent[None](
        name="Triage", instructions="Hand the customer to a specialist.", handoffs=[orders]
    )


@workflow.defn
class TracedTriage:
    """One conversation turn: triage hands off to orders, which looks the order up."""

    @workflow.run
    async def run(self, message: str) -> str:
        result = await Runner.run(triage_agent(), message)
        return str(result.final_output)


@workflow.defn
class TracedTurns:
    """Two turns in one workflow, each its own trace, inside one Temporal workflow."""

    @workflow.run
    async def run(self, messages: list[str]) -> list[str]:
        replies: list[str] = []
        for message in messages:
            with trace("Support turn"):
                result = await Runner.run(triage_agent(), message)
            replies.append(str(result.final_output))
        return replies


@activity.defn
async def fetch_numbers() -> list[int]:
    """Some data to process."""
    return [1, 2, 3]


@workflow.defn
class TracedWorkflow:
    """The specification's direct OpenTelemetry example (only the import path changed)."""

    @workflow.run
    async def run(self) -> str:
        # Establish OTEL context with SDK span
        with custom_span("Main workflow"):
            # Create direct OTEL spans for fine-grained tracing
            tracer = opentelemetry.trace.get_tracer(__name__)

            with tracer.start_as_current_span("Data processing"):
                data = await self.process_data()

            with tracer.start_as_current_span("Business logic"):
                result = await self.execute_business_logic(data)

            return result

    async def process_data(self) -> list[int]:
        return await workflow.execute_activity(fetch_numbers, start_to_close_timeout=TIMEOUT)

    async def execute_business_logic(self, data: list[int]) -> str:
        return f"total {sum(data)}"


@workflow.defn
class TracedParent:
    """Runs TracedWorkflow as a child: the child's spans join the parent's trace."""

    @workflow.run
    async def run(self) -> str:
        with trace("Parent workflow"):
            return await workflow.execute_child_workflow(
                TracedWorkflow.run, id=f"{workflow.info().workflow_id}-child"
            )


@workflow.defn
class TracedConversation:
    """Turns arrive as updates and run in the main loop, as in a conversation workflow."""

    def __init__(self) -> None:
        self.inbox: list[tuple[str, TraceScope]] = []
        self.replies: list[str] = []
        self.received = 0
        self.closed = False

    @workflow.run
    async def run(self) -> int:
        while True:
            await workflow.wait_condition(lambda: bool(self.inbox) or self.closed)
            if not self.inbox:
                return len(self.replies)
            message, scope = self.inbox.pop(0)
            # The turn runs in the trace its message came with: one trace per turn.
            with scope.attached():
                result = await Runner.run(triage_agent(), message)
            self.replies.append(str(result.final_output))

    @workflow.update
    async def send(self, message: str) -> str:
        self.inbox.append((message, TraceScope.current()))
        self.received += 1
        turn = self.received
        await workflow.wait_condition(lambda: len(self.replies) >= turn)
        return self.replies[turn - 1]

    @workflow.signal
    def close(self) -> None:
        self.closed = True
