"""Both sides: interceptors that carry Agents SDK traces across client, workflows, activities.

- A client call (start a workflow, signal it, send it an update) made inside an Agents trace
  sends that trace in a header.
- A workflow handler that receives one runs inside it, under a ``temporal:workflow:<type>``
  (``temporal:update:<name>``, ``temporal:signal:<name>``) span.
- Every activity and child workflow a traced workflow starts gets a
  ``temporal:activity:<type>`` (``temporal:child_workflow:<type>``) span covering its whole
  execution, retries included, and receives it as the parent of the spans it makes: a model
  call's response span, an activity tool's own spans.

Workflow-side spans are made only when the trace provider is replay safe
(``TemporalTraceProvider``), so their ids are the same on every replay.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Generator
from typing import Any

from agents.tracing import Span, SpanError, custom_span, get_current_trace, get_trace_provider
from temporalio import client, workflow
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    ExecuteWorkflowInput,
    HandleSignalInput,
    HandleUpdateInput,
    Interceptor,
    StartActivityInput,
    StartChildWorkflowInput,
    StartLocalActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from .._model_call import ModelCallInput
from .context import attached, capture, from_headers, with_context
from .provider import TemporalTraceProvider

_NO_OP = "no-op"


def _traceable() -> bool:
    """Whether workflow code may make spans now (a live trace and a replay-safe provider)."""
    trace = get_current_trace()
    return (
        trace is not None
        and trace.trace_id != _NO_OP
        and isinstance(get_trace_provider(), TemporalTraceProvider)
    )


@contextlib.contextmanager
def _handler_span(name: str, headers: Any) -> Generator[None]:
    """Attach the sender's trace, if any, and cover the handler with a span of its own."""
    context = from_headers(headers)
    if context is None:
        yield
        return
    with attached(context):
        if not isinstance(get_trace_provider(), TemporalTraceProvider):
            yield
            return
        info = workflow.info()
        data = {"workflow_id": info.workflow_id, "run_id": info.run_id}
        with custom_span(name, data=data) as span:
            try:
                yield
            except Exception as error:
                span.set_error(SpanError(message=str(error), data={"type": type(error).__name__}))
                raise


def _finish(span: Span[Any], handle: Any) -> None:
    if not handle.cancelled() and (error := handle.exception()) is not None:
        span.set_error(SpanError(message=str(error), data={"type": type(error).__name__}))
    span.finish()


def _open_span(name: str, data: dict[str, Any]) -> tuple[Span[Any], contextvars.Context] | None:
    """Start a span for work that outlives the call starting it, in a context of its own.

    The span ends when the work does, in a callback. Processors may make the span current in
    the context it starts in (the OpenTelemetry bridge does) and undo that when it ends; both
    happen in one copied context, so the caller's context is left as it was.
    """
    if not _traceable():
        return None
    span = custom_span(name, data=data)
    if span.span_id == _NO_OP:
        return None
    scope = contextvars.copy_context()
    scope.run(span.start)
    return span, scope


def _traced_start(
    name: str,
    data: dict[str, Any],
    input: StartActivityInput | StartLocalActivityInput,
    start: Callable[[Any], workflow.ActivityHandle[Any]],
) -> workflow.ActivityHandle[Any]:
    opened = _open_span(name, data)
    if opened is None:
        return start(input)
    span, scope = opened
    input.headers = scope.run(lambda: with_context(input.headers, capture(span)))
    try:
        # Started in the span's context, so that spans other interceptors make for the start
        # (Temporal's StartActivity) are its children.
        handle = scope.run(start, input)
    except BaseException:
        scope.run(span.finish)
        raise
    handle.add_done_callback(functools.partial(_finish, span), context=scope)
    return handle


def _activity_data(input: StartActivityInput | StartLocalActivityInput) -> dict[str, Any]:
    data: dict[str, Any] = {"activity_type": input.activity}
    call = input.args[0] if input.args else None
    if isinstance(call, ModelCallInput):  # a model call: say whose, and which model
        data.update(agent=call.agent_name, model=call.model_name)
    return data


class _TracingWorkflowOutbound(WorkflowOutboundInterceptor):
    def start_activity(self, input: StartActivityInput) -> workflow.ActivityHandle[Any]:
        return _traced_start(
            f"temporal:activity:{input.activity}",
            _activity_data(input),
            input,
            super().start_activity,
        )

    def start_local_activity(self, input: StartLocalActivityInput) -> workflow.ActivityHandle[Any]:
        return _traced_start(
            f"temporal:activity:{input.activity}",
            {**_activity_data(input), "local": True},
            input,
            super().start_local_activity,
        )

    async def start_child_workflow(
        self, input: StartChildWorkflowInput
    ) -> workflow.ChildWorkflowHandle[Any, Any]:
        opened = _open_span(
            f"temporal:child_workflow:{input.workflow}",
            {"workflow_type": input.workflow, "workflow_id": input.id},
        )
        if opened is None:
            return await super().start_child_workflow(input)
        span, scope = opened
        input.headers = scope.run(lambda: with_context(input.headers, capture(span)))
        try:
            handle = await super().start_child_workflow(input)
        except BaseException as error:
            if isinstance(error, Exception):
                span.set_error(SpanError(message=str(error), data={"type": type(error).__name__}))
            scope.run(span.finish)
            raise
        handle.add_done_callback(functools.partial(_finish, span), context=scope)
        return handle


class _TracingWorkflowInbound(WorkflowInboundInterceptor):
    def init(self, outbound: WorkflowOutboundInterceptor) -> None:
        super().init(_TracingWorkflowOutbound(outbound))

    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        name = f"temporal:workflow:{workflow.info().workflow_type}"
        with _handler_span(name, input.headers):
            return await super().execute_workflow(input)

    async def handle_signal(self, input: HandleSignalInput) -> None:
        with _handler_span(f"temporal:signal:{input.signal}", input.headers):
            return await super().handle_signal(input)

    async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
        with _handler_span(f"temporal:update:{input.update}", input.headers):
            return await super().handle_update_handler(input)


class _TracingActivityInbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        with attached(from_headers(input.headers)):
            return await super().execute_activity(input)


class _TracingClientOutbound(client.OutboundInterceptor):
    async def start_workflow(
        self, input: client.StartWorkflowInput
    ) -> client.WorkflowHandle[Any, Any]:
        input.headers = with_context(input.headers, capture())
        return await super().start_workflow(input)

    async def signal_workflow(self, input: client.SignalWorkflowInput) -> None:
        input.headers = with_context(input.headers, capture())
        return await super().signal_workflow(input)

    async def start_workflow_update(
        self, input: client.StartWorkflowUpdateInput
    ) -> client.WorkflowUpdateHandle[Any]:
        input.headers = with_context(input.headers, capture())
        return await super().start_workflow_update(input)

    async def start_update_with_start_workflow(
        self, input: client.StartWorkflowUpdateWithStartInput
    ) -> client.WorkflowUpdateHandle[Any]:
        context = capture()
        start, update = input.start_workflow_input, input.update_workflow_input
        start.headers = with_context(start.headers, context)
        update.headers = with_context(update.headers, context)
        return await super().start_update_with_start_workflow(input)


class AgentsTracingInterceptor(client.Interceptor, Interceptor):
    """Carries Agents SDK traces from clients into workflows, activities and child workflows."""

    def intercept_client(self, next: client.OutboundInterceptor) -> client.OutboundInterceptor:
        """Send the caller's trace with every workflow start, signal and update."""
        return _TracingClientOutbound(next)

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        """Run activities inside the trace of the workflow that started them."""
        return _TracingActivityInbound(next)

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        """Trace workflow handlers and everything workflows start."""
        return _TracingWorkflowInbound
