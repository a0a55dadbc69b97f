"""Workflow side: activity_as_tool, a Temporal activity as an Agents SDK tool."""

from __future__ import annotations

import functools
import inspect
import json
import threading
import typing
import weakref
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from agents import FunctionTool, RunContextWrapper
from agents.function_schema import FuncSchema, function_schema
from agents.tool import ToolErrorFunction
from agents.tool_context import ToolContext
from pydantic_core import PydanticSerializationError, to_json
from temporalio import activity, workflow
from temporalio.common import Priority, RetryPolicy
from temporalio.exceptions import ActivityError, CancelledError
from temporalio.workflow import VersioningIntent

from .._errors import AgentsWorkflowError, ToolSerializationError

ApprovalPolicy = Callable[[RunContextWrapper[Any], dict[str, Any], str], Awaitable[bool]]


def _definition_name(fn: Callable[..., Any]) -> str:
    defn = activity._Definition.from_callable(fn)  # pyright: ignore[reportPrivateUsage]
    if defn is None or defn.name is None:
        raise AgentsWorkflowError(
            f"{getattr(fn, '__qualname__', fn)!r} is not a Temporal activity: decorate it with "
            "@activity.defn before passing it to activity_as_tool",
            type="AgentsConfigurationError",
        )
    return defn.name


def _without_self(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The schema view of an activity method given unbound (``StoreActivities.lookup_order``).

    Workflows name activity methods through their class, since the instance (with its database
    or clients) lives only on the worker; the model must not be asked for ``self``.
    """
    signature = inspect.signature(fn)
    parameters = list(signature.parameters.values())
    if not parameters or parameters[0].name != "self":
        return fn

    @functools.wraps(fn)
    def view(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError  # never called: only its signature and docs are read

    view.__signature__ = signature.replace(parameters=parameters[1:])  # type: ignore[attr-defined]
    return view


@dataclass(frozen=True)
class _Described:
    schema: FuncSchema
    result_type: Any


_DescriptionKey = tuple[bool, str | None, str | None, bool]
_described: weakref.WeakKeyDictionary[Callable[..., Any], dict[_DescriptionKey, _Described]] = (
    weakref.WeakKeyDictionary()
)
_described_lock = threading.Lock()


def _describe(
    fn: Callable[..., Any],
    name_override: str | None,
    description_override: str | None,
    strict_json_schema: bool,
) -> _Described:
    """The tool schema and result type of an activity, made once per function and options.

    Workflows build their agents (and so their tools) on every run; reading signatures,
    docstrings and type hints, and building pydantic models each time costs milliseconds per
    tool and takes the logging lock inside the Agents SDK. Keyed weakly by the function, so a
    module the workflow sandbox re-imports does not pin its functions here.
    """
    function = getattr(fn, "__func__", fn)
    key = (function is not fn, name_override, description_override, strict_json_schema)
    with _described_lock:
        known = _described.get(function, {}).get(key)
    if known is not None:
        return known
    described = _Described(
        schema=function_schema(
            _without_self(fn),
            name_override=name_override,
            description_override=description_override,
            strict_json_schema=strict_json_schema,
        ),
        result_type=typing.get_type_hints(fn).get("return"),
    )
    with _described_lock:
        _described.setdefault(function, {})[key] = described
    return described


def describe_activities(activities: Iterable[Callable[..., Any]]) -> int:
    """Describe each activity as ``activity_as_tool`` does by default, once per process.

    Workflows build their tools inside workflow tasks; the first description of an activity
    (function schema, pydantic model, JSON schema) is the costly part, and on a fresh worker
    every workflow thread would build the same ones at once, under the SDK's 2 s deadlock
    detector. The worker calls this before it polls, so that those tasks find them made. Only
    the default options (no name or description override, strict schema) are covered; a tool
    with overrides is described on its first use, as before.

    Returns:
        How many activities were described (an activity whose signature cannot be a tool is
        skipped: it fails, with its own message, where a workflow makes it one).
    """
    described = 0
    for fn in activities:
        # Workflows name an activity method through its class: describe the plain function.
        function = getattr(fn, "__func__", fn)
        try:
            _describe(function, None, None, True)
        except Exception:  # a warm-up never stops a worker from starting
            continue
        described += 1
    return described


def _as_model_text(tool: str, result: Any) -> str:
    if isinstance(result, str):
        return result
    try:
        return to_json(result).decode()
    except PydanticSerializationError as error:
        raise ToolSerializationError(
            f"Tool {tool!r} returned a {type(result).__name__}, which cannot be written as "
            f"JSON for the model ({error}); return a string, or data pydantic can serialize"
        ) from error


def activity_as_tool(
    fn: Callable[..., Any],
    *,
    task_queue: str | None = None,
    schedule_to_close_timeout: timedelta | None = None,
    schedule_to_start_timeout: timedelta | None = None,
    start_to_close_timeout: timedelta | None = None,
    heartbeat_timeout: timedelta | None = None,
    retry_policy: RetryPolicy | None = None,
    cancellation_type: workflow.ActivityCancellationType = (
        workflow.ActivityCancellationType.TRY_CANCEL
    ),
    activity_id: str | None = None,
    versioning_intent: VersioningIntent | None = None,
    summary: str | None = None,
    priority: Priority = Priority.default,
    strict_json_schema: bool = True,
    name_override: str | None = None,
    description_override: str | None = None,
    needs_approval: bool | ApprovalPolicy = False,
    failure_error_function: ToolErrorFunction | None = None,
) -> FunctionTool:
    """Turn a Temporal activity into a tool that an agent in a workflow can call.

    The tool's name, description and argument schema come from the activity's signature and
    docstring (dataclass and pydantic arguments are supported). Each call runs the activity
    with the given options. An activity whose first parameter is a ``RunContextWrapper``
    receives a copy of the run context: it can read it but its changes do not come back.

    A call that fails for good (a non-retryable error, or retries exhausted) fails the run with
    ``AgentsWorkflowError``, as in the published integration; give ``failure_error_function``
    to hand the model a message instead, as the Agents SDK's ``function_tool`` does.

    Args:
        fn: A function or bound method decorated with ``@activity.defn``.
        task_queue: Task queue for the activity; defaults to the workflow's.
        schedule_to_close_timeout: See ``workflow.execute_activity``.
        schedule_to_start_timeout: See ``workflow.execute_activity``.
        start_to_close_timeout: See ``workflow.execute_activity``. One of this or
            ``schedule_to_close_timeout`` is required.
        heartbeat_timeout: See ``workflow.execute_activity``.
        retry_policy: See ``workflow.execute_activity``.
        cancellation_type: See ``workflow.execute_activity``.
        activity_id: See ``workflow.execute_activity``.
        versioning_intent: See ``workflow.execute_activity``.
        summary: Web UI summary; defaults to the tool name.
        priority: See ``workflow.execute_activity``.
        strict_json_schema: Ask the model for arguments that match the schema exactly.
        name_override: Tool name shown to the model instead of the function name.
        description_override: Tool description instead of the docstring.
        needs_approval: Pause the run for a human decision before each call (or when the
            predicate says so).
        failure_error_function: Called with the run context and the ``ActivityError`` of a
            call that failed for good; what it returns is the tool's output for the model.
            None (the default) fails the run instead.

    Returns:
        A function tool for ``Agent(tools=[...])``.
    """
    activity_name = _definition_name(fn)
    if start_to_close_timeout is None and schedule_to_close_timeout is None:
        raise AgentsWorkflowError(
            f"activity_as_tool({activity_name!r}) needs start_to_close_timeout or "
            "schedule_to_close_timeout",
            type="AgentsConfigurationError",
        )
    described = _describe(fn, name_override, description_override, strict_json_schema)
    schema, result_type = described.schema, described.result_type

    async def invoke(ctx: ToolContext[Any], arguments: str) -> str:
        try:
            raw: dict[str, Any] = json.loads(arguments) if arguments.strip() else {}
            parsed = schema.params_pydantic_model(**raw)
        # ValueError covers bad JSON, validation errors and integers too long to read;
        # RecursionError, JSON nested too deep. Either goes back to the model, never up.
        except (ValueError, TypeError, RecursionError) as error:
            return f"Invalid arguments for tool {schema.name!r}: {error}"
        unknown = sorted(set(raw) - set(schema.params_pydantic_model.model_fields))
        if unknown and strict_json_schema:
            # Pydantic would ignore them, but tool guardrails and approval policies read the
            # raw arguments: refusing keeps them judging the call that actually runs.
            return (
                f"Invalid arguments for tool {schema.name!r}: unexpected {unknown}; send only "
                f"{sorted(schema.params_pydantic_model.model_fields)}"
            )
        args, kwargs = schema.to_call_args(parsed)
        call_args: list[Any] = [*args, *kwargs.values()]
        if schema.takes_context:
            call_args.insert(0, RunContextWrapper(context=ctx.context))
        try:
            result = await workflow.execute_activity(
                activity_name,
                args=call_args,
                result_type=result_type,
                task_queue=task_queue,
                schedule_to_close_timeout=schedule_to_close_timeout,
                schedule_to_start_timeout=schedule_to_start_timeout,
                start_to_close_timeout=start_to_close_timeout,
                heartbeat_timeout=heartbeat_timeout,
                retry_policy=retry_policy,
                cancellation_type=cancellation_type,
                activity_id=activity_id,
                versioning_intent=versioning_intent,
                summary=summary or schema.name,
                priority=priority,
            )
        except ActivityError as error:
            if failure_error_function is None or isinstance(error.cause, CancelledError):
                raise
            answer = failure_error_function(ctx, error)
            return await answer if inspect.isawaitable(answer) else answer
        return _as_model_text(schema.name, result)

    return FunctionTool(
        name=schema.name,
        description=schema.description or "",
        params_json_schema=schema.params_json_schema,
        on_invoke_tool=invoke,
        strict_json_schema=strict_json_schema,
        needs_approval=needs_approval,
    )
