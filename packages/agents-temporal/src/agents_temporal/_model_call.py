"""The data that crosses the model activity boundary: what a call sends, and what comes back.

Both sides import this module and nothing else of each other: the workflow side builds a
`ModelCallInput`, the activity side (on any worker) answers with a `ModelCallResponse`. Every
field is plain data, recorded in workflow history, so a change here is a change to history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

import pydantic.dataclasses
from agents import ModelResponse

MODEL_ACTIVITY_NAME = "invoke_model_activity"
"""The activity type of a model call: the published integration's, so that a workflow it
started can go on on a worker of ours."""

LEGACY_MODEL_ACTIVITY_NAME = "agents_temporal.invoke_model"
"""The activity type of a model call before we took the published name; workflows that
scheduled it still do, and workers still serve it."""

STREAM_MODEL_ACTIVITY_NAME = "agents_temporal.stream_model"
"""The activity type of a streamed model call."""

TOPIC_STREAM_MODEL_ACTIVITY_NAME = "invoke_model_activity_streaming"
"""The activity type of a model call streamed to a ``WorkflowStream`` topic (the published
integration's name for it)."""


@dataclass
class ToolSpec:
    """A tool or handoff as the model sees it."""

    kind: str
    """Class name of the tool (``FunctionTool``, ``WebSearchTool``, ``Handoff``, ...)."""

    fields: dict[str, Any] = field(default_factory=dict[str, Any])
    """The tool's data fields; callables and fields that are not plain data are left out."""


@dataclass
class OutputSchemaSpec:
    """An agent's output schema as the model sees it."""

    name: str
    is_plain_text: bool
    json_schema: dict[str, Any] | None
    is_strict_json_schema: bool


@dataclass
class StoredInputRef:
    """How a model call's input refers to conversation items already stored.

    The call's ``input`` then holds only the items after the ``parent`` segment.
    """

    parent: str | None
    """The stored segment holding the conversation before this call's items (None: none)."""

    parent_items: int
    """How many items the ``parent`` chain holds, checked when it is read back."""

    store_as: str | None
    """Store the parent plus this call's items as the segment with this id (None: nothing new
    to store)."""


@dataclass
class ModelCallInput:
    """Everything a model call needs, as plain data recorded in workflow history."""

    model_name: str | None
    agent_name: str
    system_instructions: str | None
    input: str | list[dict[str, Any]]
    model_settings: dict[str, Any]
    tools: list[ToolSpec]
    handoffs: list[ToolSpec]
    output_schema: OutputSchemaSpec | None
    tracing: int
    previous_response_id: str | None = None
    conversation_id: str | None = None
    prompt: dict[str, Any] | None = None
    input_ref: StoredInputRef | None = None
    """Set when ``input`` continues conversation items already in the payload store."""
    max_tool_calls: int | None = None
    """The most tool calls the response may hold; the activity refuses a response with more
    (None: no limit, as calls recorded before the limit existed)."""


@dataclass
class StreamTarget:
    """Where and how the streaming model activity publishes its deltas."""

    model_call: str
    """The model call the deltas belong to."""

    batch_interval: timedelta
    """The least time between two signals of deltas."""


@dataclass
class TopicTarget:
    """Where a model call streamed to a ``WorkflowStream`` publishes its events."""

    topic: str
    """The workflow stream's topic."""

    batch_interval: timedelta
    """How long events gather before they are sent to the workflow in one batch."""


@pydantic.dataclasses.dataclass
class ModelCallResponse(ModelResponse):
    """The model activity's result: the model's response, and what the activity stored."""

    stored_input: str | None = None
    """The id of the segment now holding this call's whole input, which later calls may
    reference; None when the activity's worker has no payload storage."""

    served_by: str | None = None
    """The class of the model that answered, as the worker resolved the agent's model name
    (``agents.models.openai_responses.OpenAIResponsesModel``, an offline or test model, ...),
    so history says what really ran; None in histories recorded before it was kept."""

    served_model: str | None = None
    """The model name that model sent the request for (``gpt-4o``), when it has one."""


def is_tool_call(item: Any) -> bool:
    """Whether a response output item is a tool call: anything but a message or reasoning.

    Function calls (handoffs among them), hosted tool calls and MCP items all become work for
    the workflow, so all of them count.
    """
    kind: object = (
        cast(dict[str, Any], item).get("type")
        if isinstance(item, dict)
        else getattr(item, "type", None)
    )
    return kind not in ("message", "reasoning")


@dataclass
class TopicStreamResponse:
    """A model call streamed to a topic: the response, and every event the model streamed."""

    response: ModelCallResponse
    """The response, as the plain model activity returns it."""

    events: list[dict[str, Any]]
    """The model's own stream events, in order, as they were published, as JSON objects: some
    providers leave out fields the OpenAI types require, and one such event must not make the
    whole result undecodable in the workflow."""
