"""Both sides: an Agents SDK trace provider whose traces are safe inside workflows.

Outside workflows it is the SDK's default provider. Inside a workflow it differs in three ways,
so that a replayed workflow neither changes its traces nor exports them again:

- trace, span and group ids come from a random generator seeded for the workflow run
  (``workflow.new_random``), so a replay creates the ids the first execution created; the
  generator is separate from ``workflow.random()``, so turning tracing on or off never changes
  what workflow code draws from it;
- timestamps come from ``workflow.now()``, so replayed spans keep the times they first had;
- processors hear nothing while the workflow replays history. The exception is a processor
  marked ``ReplayAwareProcessor`` (the OpenTelemetry bridge): it hears every event, so that
  the ids of its own spans stay in step, and relies on a replay-safe OpenTelemetry provider to
  drop whatever ends during a replay.

It also keeps the OpenAI platform exporter quiet when there is no key to export with: without
``OPENAI_API_KEY`` (or a key given in code) that exporter hears nothing, so it neither tries to
send nor warns about the missing key.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from random import Random  # noqa: TID251 - only the type of workflow.new_random()
from typing import Any, cast

from agents import RunConfig, RunState
from agents.tracing import (
    Span,
    Trace,
    TracingProcessor,
    get_trace_provider,
    set_trace_provider,
)
from agents.tracing.processors import BackendSpanExporter, BatchTraceProcessor
from agents.tracing.provider import DefaultTraceProvider, SynchronousMultiTracingProcessor
from agents.tracing.traces import _mark_trace_id_started  # pyright: ignore[reportPrivateUsage]
from temporalio import workflow

_logger = logging.getLogger(__name__)
_IDS_ATTR = "_agents_temporal_trace_ids"
_INSTALL_LOCK = threading.Lock()


class ReplayAwareProcessor(TracingProcessor):
    """Marks a processor that must hear events while a workflow replays history.

    Such a processor creates its own ids in step with the workflow's events and must drop what
    ends during a replay itself (the OpenTelemetry bridge does, through the replay-safe tracer
    provider).
    """


def _replaying() -> bool:
    return workflow.in_workflow() and workflow.unsafe.is_replaying_history_events()


def _platform_export_impossible(processor: TracingProcessor, item: Trace | Span[Any]) -> bool:
    """Whether ``processor`` is the OpenAI platform exporter with no key to send ``item`` with."""
    if not isinstance(processor, BatchTraceProcessor):
        return False
    exporter = getattr(processor, "_exporter", None)
    if not isinstance(exporter, BackendSpanExporter):
        return False
    return not (item.tracing_api_key or exporter.api_key)


class _WorkflowAwareProcessors(SynchronousMultiTracingProcessor):
    """Forwards events to the registered processors, minus those that must not hear them."""

    def registered(self) -> tuple[TracingProcessor, ...]:
        return self._processors

    def _deliver(
        self, item: Trace | Span[Any], event: str, call: Callable[[TracingProcessor], None]
    ) -> None:
        replaying = _replaying()
        for processor in self._processors:
            if replaying and not isinstance(processor, ReplayAwareProcessor):
                continue
            if _platform_export_impossible(processor, item):
                continue
            try:
                call(processor)
            except Exception:
                # A processor's failure must never fail the agent run (or a workflow task).
                _logger.exception("Trace processor %r failed in %s", processor, event)

    def on_trace_start(self, trace: Trace) -> None:
        self._deliver(trace, "on_trace_start", lambda p: p.on_trace_start(trace))

    def on_trace_end(self, trace: Trace) -> None:
        self._deliver(trace, "on_trace_end", lambda p: p.on_trace_end(trace))

    def on_span_start(self, span: Span[Any]) -> None:
        self._deliver(span, "on_span_start", lambda p: p.on_span_start(span))

    def on_span_end(self, span: Span[Any]) -> None:
        self._deliver(span, "on_span_end", lambda p: p.on_span_end(span))


def _workflow_ids() -> Random | None:
    """The id generator of the workflow run executing now, or None outside one.

    Queries and update validators are read-only: they are not part of history, so ids made
    there must not advance the run's generator (a replay would then make different ids).
    """
    if not workflow.in_workflow() or workflow.unsafe.is_read_only():
        return None
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    ids = getattr(loop, _IDS_ATTR, None)
    if not isinstance(ids, Random):
        ids = workflow.new_random("agents_temporal.tracing")
        setattr(loop, _IDS_ATTR, ids)
    return ids


class TemporalTraceProvider(DefaultTraceProvider):
    """The SDK's default provider, made deterministic and replay-aware inside workflows."""

    def __init__(self) -> None:
        super().__init__()
        self._multi_processor = _WorkflowAwareProcessors()

    def processors(self) -> tuple[TracingProcessor, ...]:
        """The processors registered now."""
        processors = self._multi_processor
        assert isinstance(processors, _WorkflowAwareProcessors)
        return processors.registered()

    def time_iso(self) -> str:
        """The current time; inside a workflow, the workflow's deterministic time."""
        if workflow.in_workflow():
            return workflow.now().isoformat()
        return super().time_iso()

    def gen_trace_id(self) -> str:
        """A new trace id, drawn from the run's generator inside a workflow."""
        ids = _workflow_ids()
        return f"trace_{ids.getrandbits(128):032x}" if ids is not None else super().gen_trace_id()

    def gen_span_id(self) -> str:
        """A new span id, drawn from the run's generator inside a workflow."""
        ids = _workflow_ids()
        return f"span_{ids.getrandbits(96):024x}" if ids is not None else super().gen_span_id()

    def gen_group_id(self) -> str:
        """A new group id, drawn from the run's generator inside a workflow."""
        ids = _workflow_ids()
        return f"group_{ids.getrandbits(96):024x}" if ids is not None else super().gen_group_id()


def install_trace_provider() -> bool:
    """Make the SDK's global trace provider a ``TemporalTraceProvider``, keeping its settings.

    Called (outside any workflow) when a worker, a replayer or ``tracing_context()`` starts. It
    stays installed afterwards: outside workflows it behaves exactly like the SDK's default.
    Processors registered before are carried over, as is ``set_tracing_disabled``.

    Returns:
        Whether the installed provider is replay safe. A provider the application set itself
        (not the SDK default) is left alone; workflows then run with tracing off.
    """
    with _INSTALL_LOCK:
        current = get_trace_provider()
        if isinstance(current, TemporalTraceProvider):
            return True
        if type(current) is not DefaultTraceProvider:
            return False
        replacement = TemporalTraceProvider()
        registered = getattr(getattr(current, "_multi_processor", None), "_processors", ())
        replacement.set_processors(list(registered))
        disabled = getattr(current, "_manual_disabled", None)
        if isinstance(disabled, bool):
            replacement.set_disabled(disabled)
        set_trace_provider(replacement)
        return True


def workflow_tracing_disabled(config: RunConfig) -> bool:
    """Whether an agent run inside a workflow must run with tracing off.

    Tracing stays on unless the run asks otherwise, as long as the trace provider is replay
    safe; a provider the application installed itself would make random ids and export again
    on every replay, so runs are not traced then.
    """
    return config.tracing_disabled or not isinstance(get_trace_provider(), TemporalTraceProvider)


def continue_resumed_trace(input: Any) -> None:
    """Let a run resumed from a ``RunState`` continue its trace, on every replay alike.

    The SDK continues a resumed run's trace only when this process has seen that trace start,
    which depends on the process's past rather than on the workflow's history (a worker restart
    or a continue-as-new changes it). Marking the trace as seen makes the choice deterministic.
    """
    if not isinstance(input, RunState):
        return
    state = getattr(cast(Any, input), "_trace_state", None)
    trace_id = getattr(state, "trace_id", None)
    if isinstance(trace_id, str):
        _mark_trace_id_started(trace_id)
