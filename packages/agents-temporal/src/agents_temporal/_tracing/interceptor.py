"""Both sides: interceptors that carry Agents SDK traces across client, workflows, activities.

The spans are named as in Temporal's published integration, so a run draws the same tree:

- A client call made inside an Agents trace sends that trace in a header, under a
  ``temporal:startWorkflow:<type>`` (``temporal:signalWorkflow``, ``temporal:updateWorkflow``,
  ``temporal:queryWorkflow``) span.
- A workflow handler that receives one runs inside it, under a ``temporal:executeWorkflow``
  (``temporal:handleSignal``, ``temporal:handleUpdate``) span.
- Every activity and child workflow a traced workflow starts gets a ``temporal:startActivity``
  (``temporal:startLocalActivity``, ``temporal:startChildWorkflow``) span covering its whole
  execution, retries included, and receives it as the parent of the spans it makes: each
  attempt runs under a ``temporal:executeActivity`` span, with a model call's response span
  or an activity tool's own spans inside.

With ``add_temporal_spans=False`` only the traces travel: no ``temporal:*`` span is made.
Workflow-side spans are made only when the trace provider is replay safe
(``TemporalTraceProvider``), so their ids are the same on every replay.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Generator
from typing import Any, ClassVar

from agents.tracing import Span, SpanError, custom_span, get_current_trace, get_trace_provider
from temporalio import activity, client, workflow
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


def _live_trace() -> bool:
    trace = get_current_trace()
    return trace is not None and trace.trace_id != _NO_OP


@contextlib.contextmanager
def _handler_span(
    name: str, headers: Any, spans: bool, extra: dict[str, Any] | None = None
) -> Generator[None]:
    """Attach the sender's trace, if any, and cover the handler with a span of its own."""
    context = from_headers(headers)
    if context is None:
        yield
        return
    with attached(context):
        if not spans or not isinstance(get_trace_provider(), TemporalTraceProvider):
            yield
            return
        info = workflow.info()
        data = {"workflow_id": info.workflow_id, "run_id": info.run_id, **(extra or {})}
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


def _open_span(
    name: str, data: dict[str, Any], spans: bool
) -> tuple[Span[Any], contextvars.Context] | None:
    """Start a span for work that outlives the call starting it, in a context of its own.

    The span ends when the work does, in a callback. Processors may make the span current in
    the context it starts in (the OpenTelemetry bridge does) and undo that when it ends; both
    happen in one copied context, so the caller's context is left as it was.
    """
    if not spans or not _traceable():
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
    spans: bool,
) -> workflow.ActivityHandle[Any]:
    opened = _open_span(name, data, spans)
    if opened is None:
        if not spans:
            # No span of ours: the activity still joins the workflow's trace.
            input.headers = with_context(input.headers, capture())
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
    def __init__(self, next: WorkflowOutboundInterceptor, spans: bool) -> None:
        super().__init__(next)
        self._spans = spans

    def start_activity(self, input: StartActivityInput) -> workflow.ActivityHandle[Any]:
        return _traced_start(
            "temporal:startActivity",
            _activity_data(input),
            input,
            super().start_activity,
            self._spans,
        )

    def start_local_activity(self, input: StartLocalActivityInput) -> workflow.ActivityHandle[Any]:
        return _traced_start(
            "temporal:startLocalActivity",
            {**_activity_data(input), "local": True},
            input,
            super().start_local_activity,
            self._spans,
        )

    async def start_child_workflow(
        self, input: StartChildWorkflowInput
    ) -> workflow.ChildWorkflowHandle[Any, Any]:
        opened = _open_span(
            "temporal:startChildWorkflow",
            {"workflow_type": input.workflow, "workflow_id": input.id},
            self._spans,
        )
        if opened is None:
            if not self._spans:
                input.headers = with_context(input.headers, capture())
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
    spans: ClassVar[bool] = True

    def init(self, outbound: WorkflowOutboundInterceptor) -> None:
        super().init(_TracingWorkflowOutbound(outbound, self.spans))

    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        workflow_type = {"workflow_type": workflow.info().workflow_type}
        with _handler_span("temporal:executeWorkflow", input.headers, self.spans, workflow_type):
            return await super().execute_workflow(input)

    async def handle_signal(self, input: HandleSignalInput) -> None:
        signal = {"signal": input.signal}
        with _handler_span("temporal:handleSignal", input.headers, self.spans, signal):
            return await super().handle_signal(input)

    async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
        update = {"update": input.update}
        with _handler_span("temporal:handleUpdate", input.headers, self.spans, update):
            return await super().handle_update_handler(input)


class _TracingActivityInbound(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, spans: bool) -> None:
        super().__init__(next)
        self._spans = spans

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        with attached(from_headers(input.headers)):
            if not self._spans or not _live_trace():
                return await super().execute_activity(input)
            info = activity.info()
            data = {"activityId": info.activity_id, "activity": info.activity_type}
            with custom_span("temporal:executeActivity", data=data):
                return await super().execute_activity(input)


@contextlib.contextmanager
def _client_span(spans: bool, name: str, data: dict[str, Any]) -> Generator[None]:
    """A span around a client call made inside a trace (none outside one)."""
    if not spans or not _live_trace():
        yield
        return
    with custom_span(name, data=data):
        yield


class _TracingClientOutbound(client.OutboundInterceptor):
    def __init__(self, next: client.OutboundInterceptor, spans: bool) -> None:
        super().__init__(next)
        self._spans = spans

    async def start_workflow(
        self, input: client.StartWorkflowInput
    ) -> client.WorkflowHandle[Any, Any]:
        name = f"temporal:startWorkflow:{input.workflow}"
        with _client_span(self._spans, name, {"workflowId": input.id}):
            input.headers = with_context(input.headers, capture())
            return await super().start_workflow(input)

    async def signal_workflow(self, input: client.SignalWorkflowInput) -> None:
        data = {"workflowId": input.id, "signal": input.signal}
        with _client_span(self._spans, "temporal:signalWorkflow", data):
            input.headers = with_context(input.headers, capture())
            return await super().signal_workflow(input)

    async def query_workflow(self, input: client.QueryWorkflowInput) -> Any:
        data = {"workflowId": input.id, "query": input.query}
        with _client_span(self._spans, "temporal:queryWorkflow", data):
            return await super().query_workflow(input)

    async def start_workflow_update(
        self, input: client.StartWorkflowUpdateInput
    ) -> client.WorkflowUpdateHandle[Any]:
        data = {"workflowId": input.id, "update": input.update}
        with _client_span(self._spans, "temporal:updateWorkflow", data):
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
    """Carries Agents SDK traces from clients into workflows, activities and child workflows.

    Args:
        add_temporal_spans: Draw the ``temporal:*`` spans; without them only the traces
            travel, and the spans the agents make hang directly under the caller's.
    """

    def __init__(self, add_temporal_spans: bool = True) -> None:
        self._spans = add_temporal_spans
        self._inbound: type[_TracingWorkflowInbound] = type(
            "_TracingWorkflowInbound", (_TracingWorkflowInbound,), {"spans": add_temporal_spans}
        )

    def intercept_client(self, next: client.OutboundInterceptor) -> client.OutboundInterceptor:
        """Send the caller's trace with every workflow start, signal and update."""
        return _TracingClientOutbound(next, self._spans)

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        """Run activities inside the trace of the workflow that started them."""
        return _TracingActivityInbound(next, self._spans)

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        """Trace workflow handlers and everything workflows start."""
        return self._inbound
