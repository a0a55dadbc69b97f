"""Both sides: the errors agents_temporal raises."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError, FailureError

MODEL_PROVIDER_ERROR = "ModelProviderError"
"""ApplicationError type of a model call that failed for a reason retrying will not fix."""

TOO_MANY_TOOL_CALLS = "TooManyToolCalls"
"""ApplicationError type of a model call whose response held more tool calls than allowed."""


class AgentsWorkflowError(ApplicationError):
    """An agent run inside a workflow failed in a way the workflow cannot recover from.

    It is an ``ApplicationError``, so raising it fails the workflow (instead of retrying the
    workflow task forever) and its message reaches the client as the failure message.
    """

    def __init__(self, message: str, *, type: str | None = "AgentsWorkflowError") -> None:
        super().__init__(message, type=type, non_retryable=True)


AGENTS_FAILURE_PREFIX = "Workflow failure exception in Agents Framework"
"""How the message of a run failed by a Temporal failure inside the Agents SDK begins (as in the
published integration, whose users may match on it)."""


def failure_detail(error: BaseException) -> str:
    """What went wrong under ``error``, a Temporal failure or an exception caused by one.

    An activity failure reads "Activity task failed"; what went wrong is in its causes. The
    first ``ApplicationError`` among them is what the activity raised, written for people (the
    model activity's says which call failed, how, and what to do); below it lies only the
    exception it was raised from, as the provider worded it. Without one, the innermost
    failure's message (a timeout's, say) is the most specific.
    """
    detail = str(error)
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ApplicationError) and cause.message:
            return cause.message
        if isinstance(cause, FailureError) and cause.message:
            detail = cause.message
        cause = cause.__cause__
    return detail


class TooManyToolCallsError(ApplicationError):
    """A model response held more tool calls than the worker allows; non-retryable.

    Every tool call of a response is handled in one workflow task, and a task that runs past
    Temporal's 2 s deadlock limit can freeze its worker; so the model activity refuses such a
    response instead of handing it to the workflow. Retrying would only pay for it again.
    """

    def __init__(self, agent: str, limit: int) -> None:
        super().__init__(
            f"The model answered {agent!r} with more than {limit} tool calls in one response, "
            "the most this worker handles at once "
            "(ModelActivityParameters.max_tool_calls_per_response), so none of them ran: ask "
            "for fewer things at once.",
            type=TOO_MANY_TOOL_CALLS,
            non_retryable=True,
        )


class ToolSerializationError(ApplicationError):
    """A tool's result could not be turned into the text the model reads.

    Tools made from activities and Nexus operations hand the model ``str(result)``; a result
    whose ``__str__`` fails ends the run with this error, which names the tool.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, type="ToolSerializationError", non_retryable=True)
