"""Both sides: the errors agents_temporal raises."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError

MODEL_PROVIDER_ERROR = "ModelProviderError"
"""ApplicationError type of a model call that failed for a reason retrying will not fix."""


class AgentsWorkflowError(ApplicationError):
    """An agent run inside a workflow failed in a way the workflow cannot recover from.

    It is an ``ApplicationError``, so raising it fails the workflow (instead of retrying the
    workflow task forever) and its message reaches the client as the failure message.
    """

    def __init__(self, message: str, *, type: str | None = "AgentsWorkflowError") -> None:
        super().__init__(message, type=type, non_retryable=True)
