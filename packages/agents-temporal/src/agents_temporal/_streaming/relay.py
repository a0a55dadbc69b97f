"""Workflow side: a streamed agent run's events turned into durable stream events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

from agents import (
    AgentsException,
    HandoffCallItem,
    HandoffOutputItem,
    InputGuardrailTripwireTriggered,
    ItemHelpers,
    MessageOutputItem,
    ModelResponse,
    OutputGuardrailTripwireTriggered,
    ReasoningItem,
    RunItem,
    RunResultStreaming,
    ToolCallItem,
    ToolCallOutputItem,
)
from agents.stream_events import AgentUpdatedStreamEvent, RunItemStreamEvent
from agents.stream_events import StreamEvent as AgentStreamEvent
from openai.types.responses import ResponseOutputMessage
from pydantic_core import to_jsonable_python
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError

from .._errors import failure_detail
from .types import StreamEvent, StreamEventKind

_MAX_TEXT = 20_000


class EventSink(Protocol):
    """Where a relay publishes durable events: a workflow's stream log."""

    def publish(
        self,
        kind: StreamEventKind,
        *,
        agent: str | None = None,
        text: str | None = None,
        name: str | None = None,
        data: dict[str, Any] | None = None,
        model_call: str | None = None,
        attempt: int | None = None,
    ) -> StreamEvent:
        """Append a durable event."""
        ...


def response_text(response: ModelResponse) -> str:
    """The text of a model response's messages, joined."""
    return "".join(
        ItemHelpers.extract_last_text(item) or ""
        for item in response.output
        if isinstance(item, ResponseOutputMessage)
    )


def _json(value: Any) -> Any:
    # Guardrail output and tool results are user data: anything pydantic cannot render becomes
    # its repr, since an observer only needs to show it.
    return to_jsonable_python(value, fallback=repr)


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "..."


class RunRelay:
    """Relays one streamed run's events to a stream log while the workflow consumes them."""

    def __init__(self, log: EventSink, result: RunResultStreaming) -> None:
        self._log = log
        self._result = result
        # Guardrail results accumulate in lists on the result; these count the ones published.
        self._published = {"input": 0, "output": 0, "tool_input": 0, "tool_output": 0}

    async def events(self) -> AsyncIterator[AgentStreamEvent]:
        """Yield the run's events, publishing each item event before yielding it."""
        try:
            async for event in self._result.stream_events():
                self._publish_event(event)
                self._publish_guardrails()
                yield event
        except (AgentsException, ActivityError, ChildWorkflowError, ApplicationError) as error:
            # The SDK's own errors, and Temporal failures it passes through untouched: a model
            # call that failed for good raises its ActivityError, as the published integration
            # does, and a refusal of ours is an ApplicationError. Either way the run is over.
            self._publish_guardrails()
            if isinstance(error, AgentsException):
                self._publish_tripwire(error)
                text = str(error)
            else:
                # "Activity task failed": what failed, and why, is in its causes.
                text = failure_detail(error)
            text = text or type(error).__name__
            self._log.publish("run_failed", agent=self._agent(), text=_clip(text))
            raise
        self._publish_guardrails()
        for approval in self._result.interruptions:
            self._log.publish(
                "approval_requested",
                agent=approval.agent.name,
                name=approval.tool_name,
                data={"call_id": approval.call_id, "arguments": approval.arguments},
            )
        final = self._result.final_output
        data: dict[str, Any] = {"paused": bool(self._result.interruptions)}
        if final is not None and not isinstance(final, str):
            # Structured output: observers get the data as well as its text.
            data["final_output"] = _json(final)
        self._log.publish(
            "run_completed",
            agent=self._agent(),
            text=None if final is None else _clip(str(final)),
            data=data,
        )

    def _agent(self) -> str:
        return self._result.current_agent.name

    def _publish_event(self, event: AgentStreamEvent) -> None:
        if isinstance(event, AgentUpdatedStreamEvent):
            self._log.publish("agent_updated", agent=event.new_agent.name)
        elif isinstance(event, RunItemStreamEvent):
            self._publish_item(event.item)

    def _publish_item(self, item: RunItem) -> None:
        agent = item.agent.name
        log = self._log
        if isinstance(item, MessageOutputItem):
            log.publish("message_output", agent=agent, text=ItemHelpers.text_message_output(item))
        elif isinstance(item, HandoffCallItem):
            log.publish("handoff_requested", agent=agent, name=item.raw_item.name)
        elif isinstance(item, HandoffOutputItem):
            log.publish(
                "handoff_occurred", agent=item.source_agent.name, name=item.target_agent.name
            )
        elif isinstance(item, ToolCallItem):
            arguments = getattr(item.raw_item, "arguments", None)
            log.publish(
                "tool_called",
                agent=agent,
                name=item.tool_name,
                data={"call_id": item.call_id, "arguments": arguments},
            )
        elif isinstance(item, ToolCallOutputItem):
            log.publish(
                "tool_output",
                agent=agent,
                text=_clip(str(item.output)),
                data={"call_id": item.call_id},
            )
        elif isinstance(item, ReasoningItem):
            summary = " ".join(part.text for part in item.raw_item.summary)
            log.publish("reasoning", agent=agent, text=_clip(summary))

    def _guardrail_results(self) -> dict[str, list[Any]]:
        result = self._result
        return {
            "input": result.input_guardrail_results,
            "output": result.output_guardrail_results,
            "tool_input": result.tool_input_guardrail_results,
            "tool_output": result.tool_output_guardrail_results,
        }

    def _publish_guardrails(self) -> None:
        for stage, results in self._guardrail_results().items():
            for guardrail_result in results[self._published[stage] :]:
                self._publish_guardrail(stage, guardrail_result)
            self._published[stage] = len(results)

    def _publish_tripwire(self, error: AgentsException) -> None:
        # A tripped agent guardrail ends the run before its result reaches the result's lists.
        if isinstance(error, InputGuardrailTripwireTriggered | OutputGuardrailTripwireTriggered):
            stage = "input" if isinstance(error, InputGuardrailTripwireTriggered) else "output"
            if error.guardrail_result not in self._guardrail_results()[stage]:
                self._publish_guardrail(stage, error.guardrail_result)

    def _publish_guardrail(self, stage: str, guardrail_result: Any) -> None:
        output = guardrail_result.output
        if stage in ("input", "output"):
            tripped = bool(output.tripwire_triggered)
        else:
            tripped = output.behavior.get("type") != "allow"
        agent = getattr(guardrail_result, "agent", None)
        self._log.publish(
            "guardrail_result",
            agent=agent.name if agent is not None else self._agent(),
            name=guardrail_result.guardrail.get_name(),
            data={
                "stage": stage,
                "tripwire_triggered": tripped,
                "output_info": _json(output.output_info),
            },
        )
