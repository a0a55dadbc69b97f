"""Client side of a workflow's event stream: read a page, or follow it from an offset."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import timedelta
from typing import Any

from temporalio.api.common.v1 import Payloads, WorkflowExecution
from temporalio.api.query.v1 import WorkflowQuery
from temporalio.api.workflowservice.v1 import QueryWorkflowRequest
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.converter import WorkflowSerializationContext
from temporalio.service import RPCError, RPCStatusCode

from .types import (
    READ_EVENTS_QUERY,
    WAIT_FOR_EVENTS_UPDATE,
    ReadEvents,
    StreamEvent,
    StreamPage,
)

_FAST_RETRIES = 20
_FAST_RETRY_DELAY = 0.005
_QUERY_TIMEOUT = timedelta(seconds=5)
_RETRY_AT_ONCE = frozenset(
    # Core reports an expired deadline as CANCELLED.
    {RPCStatusCode.RESOURCE_EXHAUSTED, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED}
)
# While a call streams without news for this many polls, check whether the run still exists.
_POLLS_BEFORE_CHECKING = 20


async def read_events(
    client: Client, workflow_id: str, from_offset: int = 0, *, include_deltas: bool = True
) -> StreamPage:
    """Read the events a workflow's stream holds from ``from_offset``, without waiting.

    It is a query: it adds nothing to the workflow's history, and works on closed workflows
    too (while their history is retained).

    Args:
        client: A client with ``OpenAIAgentsPlugin`` (or its payload converter).
        workflow_id: The workflow; its latest run answers.
        from_offset: The first offset wanted.
        include_deltas: Whether to include ephemeral text deltas.

    Returns:
        One page of events; read again from ``page.next_offset`` when ``page.more``.
    """
    return await _query(client, workflow_id, ReadEvents(from_offset, include_deltas))


async def subscribe_events(
    client: Client,
    workflow_id: str,
    from_offset: int = 0,
    *,
    include_deltas: bool = True,
    poll_interval: timedelta = timedelta(milliseconds=100),
) -> AsyncGenerator[StreamEvent]:
    """Follow a workflow's stream from ``from_offset`` until the workflow ends.

    To resume after a disconnect, subscribe again with ``from_offset`` one past the offset of
    the last event handled: every durable event since then arrives, and the deltas of a model
    call still running. The subscription follows the workflow across continue-as-new.

    While a model call streams, it polls with a query every ``poll_interval`` (queries leave
    no trace in history, however many observers there are); while nothing streams it waits in
    a long-polling update, which costs a few history events once per wake-up instead of a
    poll every interval.

    Args:
        client: A client with ``OpenAIAgentsPlugin`` (or its payload converter).
        workflow_id: The workflow to follow.
        from_offset: The first offset wanted.
        include_deltas: Whether to receive ephemeral text deltas.
        poll_interval: How often to poll while a model call streams.

    Yields:
        Events in offset order; the iteration ends when the workflow has ended and every event
        was delivered.
    """
    handle = client.get_workflow_handle(workflow_id)
    poll = poll_interval.total_seconds()
    page = await _query(client, workflow_id, ReadEvents(from_offset, include_deltas))
    quiet_polls = 0
    while True:
        for event in page.events:
            yield event
        offset = page.next_offset
        request = ReadEvents(offset, include_deltas)
        if page.more:
            page = await _query(client, workflow_id, request)
            continue
        quiet_polls = 0 if page.events else quiet_polls + 1
        # A run terminated in the middle of a model call stays "streaming" forever.
        stalled = quiet_polls % _POLLS_BEFORE_CHECKING == 0 and quiet_polls > 0
        if (
            page.streaming
            and not page.closed
            and not (stalled and await _finished(handle, page.run_id))
        ):
            await asyncio.sleep(poll)
            page = await _query(client, workflow_id, request)
            continue
        woken = None if page.closed else await _wait(handle, request)
        if woken is not None:
            page = woken
            continue
        if await _finished(handle, page.run_id):
            # Drain what was published after the page above, before the run ended.
            page = await _query(client, workflow_id, request)
            if not page.events:
                return
            continue
        # The run is closing its stream to continue as new: the next run answers soon.
        await asyncio.sleep(poll)
        page = await _query(client, workflow_id, request)


async def _query(client: Client, workflow_id: str, request: ReadEvents) -> StreamPage:
    """The read query, retried at once while the server's query buffer is full.

    A query that reaches a workflow while one of its workflow tasks is in flight waits in a
    server-side buffer of one; a second one is refused with RESOURCE_EXHAUSTED. Several
    observers of a streaming workflow (whose deltas arrive as frequent workflow tasks) hit
    that often, and the client's standard retry policy would back off for about a second. The
    workflow task is done in milliseconds, so trying again at once keeps deltas prompt.

    A query that races with the run's termination can go unanswered until its deadline; a
    shorter deadline and a new try get the terminated run's final state instead.
    """
    converter = client.data_converter.with_context(
        WorkflowSerializationContext(namespace=client.namespace, workflow_id=workflow_id)
    )
    rpc = QueryWorkflowRequest(
        namespace=client.namespace,
        execution=WorkflowExecution(workflow_id=workflow_id),
        query=WorkflowQuery(
            query_type=READ_EVENTS_QUERY,
            query_args=Payloads(payloads=await converter.encode([request])),
        ),
    )
    for attempt in range(_FAST_RETRIES + 1):
        # The last attempt uses the client's retry policy for every other transient error.
        last = attempt == _FAST_RETRIES
        try:
            response = await client.workflow_service.query_workflow(
                rpc, retry=last, timeout=None if last else _QUERY_TIMEOUT
            )
            break
        except RPCError as error:
            if last or error.status not in _RETRY_AT_ONCE:
                if error.status == RPCStatusCode.INVALID_ARGUMENT:
                    raise _query_failed(workflow_id, error.message) from error
                raise
        await asyncio.sleep(_FAST_RETRY_DELAY * (attempt + 1))
    else:  # pragma: no cover - the loop always breaks or raises
        raise AssertionError("unreachable")
    if response.HasField("query_rejected"):
        raise WorkflowQueryRejectedError(WorkflowExecutionStatus(response.query_rejected.status))
    (page,) = await converter.decode(response.query_result.payloads, [StreamPage])
    return page


def _query_failed(workflow_id: str, message: str) -> WorkflowQueryFailedError:
    if READ_EVENTS_QUERY in message and "not found" in message:
        # The worker lists the queries the workflow has; ours is missing from them.
        message = (
            f"Workflow {workflow_id!r} has no event stream: create an "
            "agents_temporal.workflow.StreamEventLog in its @workflow.init"
        )
    return WorkflowQueryFailedError(message)


async def _wait(handle: WorkflowHandle[Any, Any], request: ReadEvents) -> StreamPage | None:
    """Long-poll for events from ``request.from_offset``; None if the run refuses or ended."""
    try:
        return await handle.execute_update(WAIT_FOR_EVENTS_UPDATE, request, result_type=StreamPage)
    except (WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, RPCError):
        # Refused because the stream is closed, the run ended, or the call timed out: the
        # caller looks at the workflow to tell which.
        return None


async def _finished(handle: WorkflowHandle[Any, Any], run_id: str) -> bool:
    """Whether the workflow is over: its latest run is the one last read, and it is closed."""
    description = await handle.describe()
    return description.status != WorkflowExecutionStatus.RUNNING and description.run_id == run_id
