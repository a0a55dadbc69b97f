"""Workflows that stream agent runs to observers; a module of its own for the sandbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from agents import (
    Agent,
    GuardrailFunctionOutput,
    InputGuardrailTripwireTriggered,
    ModelResponse,
    RunContextWrapper,
    Runner,
    TResponseInputItem,
    Usage,
    function_tool,
    input_guardrail,
)
from agents.stream_events import RawResponsesStreamEvent, RunItemStreamEvent
from openai.types.responses import ResponseTextDeltaEvent
from temporalio import workflow
from temporalio.contrib.workflow_streams import WorkflowStream

from agents_temporal.workflow import StreamEventLog

MODEL = "gpt-test"


@dataclass
class StreamRequest:
    prompt: str
    agent: Literal["plain", "support", "guarded"] = "plain"


@dataclass
class StreamReport:
    """What the workflow itself saw while consuming ``stream_events()``."""

    final_output: str
    workflow_text: str
    raw_event_types: list[str] = field(default_factory=list[str])
    item_events: list[str] = field(default_factory=list[str])
    interruptions: list[str] = field(default_factory=list[str])


@input_guardrail
def on_topic(
    context: RunContextWrapper[None], agent: Agent[None], input: str | list[TResponseInputItem]
) -> GuardrailFunctionOutput:
    """A code guardrail: passes everything, reports that it looked."""
    return GuardrailFunctionOutput(output_info={"checked": True}, tripwire_triggered=False)


@input_guardrail
def no_secrets(
    context: RunContextWrapper[None], agent: Agent[None], input: str | list[TResponseInputItem]
) -> GuardrailFunctionOutput:
    """Trips on any mention of a secret."""
    leaked = "secret" in str(input)
    return GuardrailFunctionOutput(output_info={"leaked": leaked}, tripwire_triggered=leaked)


@function_tool
def lookup_order(order_id: str) -> str:
    """Look up an order."""
    return f"Order {order_id}: delivered, 40 EUR"


@function_tool(needs_approval=True)
def issue_refund(order_id: str) -> str:
    """Refund an order (needs an operator's approval)."""
    return f"Refunded {order_id}"


def build_agent(kind: str) -> Agent[None]:
    if kind == "plain":
        return Agent(name="Writer", instructions="Write what is asked.", model=MODEL)
    if kind == "guarded":
        return Agent(
            name="Guarded", instructions="Answer.", model=MODEL, input_guardrails=[no_secrets]
        )
    refunds = Agent(
        name="Refunds",
        instructions="Handle refunds.",
        model=MODEL,
        tools=[lookup_order, issue_refund],
    )
    return Agent(
        name="Triage",
        instructions="Route the customer.",
        model=MODEL,
        handoffs=[refunds],
        input_guardrails=[on_topic],
    )


@workflow.defn
class StreamingAssistant:
    """Streams one agent run to observers and reports what it saw in the workflow."""

    @workflow.init
    def __init__(self, request: StreamRequest) -> None:
        self.events = StreamEventLog()

    @workflow.run
    async def run(self, request: StreamRequest) -> StreamReport:
        result = Runner.run_streamed(build_agent(request.agent), request.prompt)
        report = StreamReport(final_output="", workflow_text="")
        try:
            async for event in self.events.relay(result):
                if isinstance(event, RawResponsesStreamEvent):
                    report.raw_event_types.append(event.data.type)
                    if isinstance(event.data, ResponseTextDeltaEvent):
                        report.workflow_text += event.data.delta
                elif isinstance(event, RunItemStreamEvent):
                    report.item_events.append(event.name)
        except InputGuardrailTripwireTriggered:
            report.final_output = "blocked by a guardrail"
        else:
            report.final_output = str(result.final_output or "")
        report.interruptions = [item.tool_name or "" for item in result.interruptions]
        await self.events.close()
        return report


@workflow.defn
class ManualStream:
    """One model call held open until ``finish``, for feeding the log crafted delta batches."""

    @workflow.init
    def __init__(self) -> None:
        self.events = StreamEventLog()
        self.begun = False
        self.finished = False

    @workflow.signal
    def begin(self) -> None:
        self.begun = True

    @workflow.signal
    def finish(self) -> None:
        self.finished = True

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self.begun)
        call = self.events.begin_call("Tester", "test-model")
        await workflow.wait_condition(lambda: self.finished)
        self.events.end_call(
            call, response=ModelResponse(output=[], usage=Usage(), response_id=None)
        )
        await self.events.close()
        return call


async def stream_plain_agent(prompt: str) -> StreamReport:
    """Run the plain agent streamed, reporting the raw events the workflow saw and its text."""
    result = Runner.run_streamed(build_agent("plain"), prompt)
    report = StreamReport(final_output="", workflow_text="")
    async for event in result.stream_events():
        if isinstance(event, RawResponsesStreamEvent):
            report.raw_event_types.append(event.data.type)
            if isinstance(event.data, ResponseTextDeltaEvent):
                report.workflow_text += event.data.delta
    report.final_output = str(result.final_output or "")
    return report


@workflow.defn
class StreamedWithoutLog:
    """``Runner.run_streamed`` in a workflow with nowhere to stream (no log, no topic)."""

    @workflow.run
    async def run(self, prompt: str) -> StreamReport:
        return await stream_plain_agent(prompt)


@workflow.defn
class StreamedToTopic:
    """``Runner.run_streamed`` in a workflow that hosts a ``WorkflowStream`` (the published
    integration's form): the model's raw events go to the plugin's ``streaming_topic``."""

    @workflow.init
    def __init__(self, prompt: str) -> None:
        self.stream = WorkflowStream()

    @workflow.run
    async def run(self, prompt: str) -> StreamReport:
        return await stream_plain_agent(prompt)
