"""Activity side: a model call streamed to a ``WorkflowStream`` topic (the published form).

With ``ModelActivityParameters(streaming_topic=...)``, every raw event the model streams is
published, unchanged, to that topic of the calling workflow's ``WorkflowStream``
(``temporalio.contrib.workflow_streams``), in batches; the activity returns the events too,
so the run inside the workflow sees the same ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from agents import ModelResponse
from agents.items import TResponseStreamEvent
from temporalio.contrib.workflow_streams import WorkflowStreamClient

from .._model_call import TopicTarget
from .activity import collect_response


class _NoDeltas:
    def add(self, text: str, item_id: str | None) -> None:
        """The events themselves go to the topic; deltas need no second channel."""


async def stream_to_topic(
    events: AsyncIterator[TResponseStreamEvent],
    target: TopicTarget,
    max_tool_calls: int | None,
    agent: str,
) -> tuple[ModelResponse, list[TResponseStreamEvent]]:
    """Publish ``events`` to the workflow's topic as they come; the response and the events.

    Raises:
        ModelBehaviorError: The stream failed, or ended without a completed response.
        TooManyToolCallsError: The stream held more than ``max_tool_calls`` tool calls.
    """
    seen: list[TResponseStreamEvent] = []
    stream = WorkflowStreamClient.from_within_activity(batch_interval=target.batch_interval)
    topic: Any = stream.topic(target.topic)

    async def published() -> AsyncIterator[TResponseStreamEvent]:
        async for event in events:
            # OpenAI's event models build their schemas lazily; the stream's converter needs
            # them built.
            type(event).model_rebuild()
            seen.append(event)
            topic.publish(event)
            yield event

    async with stream:
        response = await collect_response(published(), _NoDeltas(), max_tool_calls, agent)
    return response, seen
