"""What observers use to follow a workflow's agent events: token deltas and item events.

A workflow that makes a ``agents_temporal.workflow.StreamEventLog`` streams its
``Runner.run_streamed`` model calls; observers follow it from any offset::

    async for event in subscribe_events(client, workflow_id, from_offset=last_offset + 1):
        if event.kind == "text_delta":
            show_partial(event.model_call, event.text)
        elif event.kind == "attempt_restarted":
            discard_partial(event.model_call)
        ...
        last_offset = event.offset
"""

from ._streaming.client import read_events, subscribe_events
from ._streaming.types import StreamEvent, StreamEventKind, StreamPage

__all__ = [
    "StreamEvent",
    "StreamEventKind",
    "StreamPage",
    "read_events",
    "subscribe_events",
]
