"""Client side: ConversationHandle, a typed client for a ConversationWorkflow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateHandle,
    WorkflowUpdateStage,
)
from temporalio.exceptions import ApplicationError

from .approval_types import ApprovalDecision, PendingApproval
from .types import (
    CLOSE_CONVERSATION,
    DECIDE_APPROVAL,
    PENDING_APPROVALS,
    REFUSAL_REASONS,
    SEND_MESSAGE,
    STATUS,
    STOP_TURN,
    TRANSCRIPT,
    USAGE,
    ConversationInput,
    ConversationStatus,
    ConversationSummary,
    RefusalReason,
    SendMessage,
    StopTurn,
    TranscriptEntry,
    TurnResult,
)
from .usage_types import UsageReport

_T = TypeVar("_T")


class ConversationRefused(Exception):
    """The conversation refused an update; ``reason`` says which rule, the message what to do.

    Attributes:
        reason: The rule, e.g. ``"AgentBusy"`` or ``"InvalidArguments"``.
        message: The conversation's explanation.
    """

    def __init__(self, reason: RefusalReason, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason: RefusalReason = reason
        self.message = message


class ConversationHandle:
    """Talks to one conversation workflow by id, across its continue-as-new runs.

    Args:
        client: A client with ``OpenAIAgentsPlugin`` (for the payload converter).
        workflow_id: The conversation's workflow id.
    """

    def __init__(self, client: Client, workflow_id: str) -> None:
        # No run id: updates and queries then go to the conversation's current run, which is
        # what keeps continue-as-new invisible to callers.
        self.handle: WorkflowHandle[Any, ConversationSummary] = client.get_workflow_handle(
            workflow_id, result_type=ConversationSummary
        )

    @staticmethod
    async def start(
        client: Client,
        workflow: str | Callable[..., Awaitable[Any]],
        *,
        id: str,
        task_queue: str,
        input: ConversationInput | None = None,
        **options: Any,
    ) -> ConversationHandle:
        """Start a conversation workflow and return its handle.

        Args:
            client: A client with ``OpenAIAgentsPlugin``.
            workflow: The conversation workflow's run method (``SupportConversation.run``)
                or its workflow type name.
            id: The workflow id (one per conversation).
            task_queue: The workers' task queue.
            input: Limits stricter than the workflow's, and the initial context.
            **options: More ``Client.start_workflow`` options (e.g. ``execution_timeout``).

        Raises:
            ValueError: ``input`` carries a snapshot or unusable config values, which the
                workflow would refuse.
        """
        input = input or ConversationInput()
        # The workflow checks these too (a client need not use this handle); failing here
        # saves starting a conversation that can only fail.
        problems = input.config.problems()
        if input.snapshot is not None:
            problems.append(
                "ConversationInput.snapshot is written by the conversation when it continues as "
                "new: leave it None"
            )
        if problems:
            raise ValueError(f"The conversation would refuse this input: {'; '.join(problems)}")
        await client.start_workflow(workflow, input, id=id, task_queue=task_queue, **options)
        return ConversationHandle(client, id)

    @property
    def workflow_id(self) -> str:
        """The conversation's workflow id."""
        return self.handle.id

    async def send(
        self, text: str, *, turn: int | None = None, sender: str | None = None
    ) -> TurnResult:
        """Send a message; returns the reply, or the approvals the turn waits for.

        Raises:
            ConversationRefused: The message is empty (or only zero-width characters), too
                long, stale, its sender name is too long or unprintable, or the agent is busy.
        """
        message = SendMessage(text=text, turn=turn, sender=sender)
        return await self._update(SEND_MESSAGE, message, TurnResult)

    async def decide(self, decision: ApprovalDecision) -> TurnResult:
        """Answer an approval; once the turn's last one is answered, returns the turn's end.

        Raises:
            ConversationRefused: Unknown or decided approval, or invalid edited arguments.
        """
        return await self._update(DECIDE_APPROVAL, decision, TurnResult)

    async def start_send(
        self, text: str, *, turn: int | None = None, sender: str | None = None
    ) -> WorkflowUpdateHandle[TurnResult]:
        """Send a message and return as soon as the conversation has taken it.

        `send` waits for the turn's end; this returns once the conversation has validated and
        recorded the message, so a caller that shows progress elsewhere (a UI following the
        transcript) learns of a refusal at once and of nothing else. ``await
        handle.result()`` for the turn's end.

        Raises:
            ConversationRefused: The message is empty, too long, stale, or the agent is busy.
        """
        message = SendMessage(text=text, turn=turn, sender=sender)
        return await self._start_update(SEND_MESSAGE, message, TurnResult)

    async def start_decide(self, decision: ApprovalDecision) -> WorkflowUpdateHandle[TurnResult]:
        """Answer an approval and return as soon as the conversation has recorded the decision.

        Raises:
            ConversationRefused: Unknown or already decided approval (the message says who
                decided it and when), or invalid edited arguments.
        """
        return await self._start_update(DECIDE_APPROVAL, decision, TurnResult)

    async def approve(
        self,
        approval_id: str,
        *,
        operator: str,
        arguments: dict[str, Any] | None = None,
        always: bool = False,
        reason: str | None = None,
    ) -> TurnResult:
        """Approve a tool call, optionally with edited arguments or for every later call."""
        decision = ApprovalDecision(
            approval_id=approval_id,
            approve=True,
            operator=operator,
            arguments=arguments,
            always=always,
            reason=reason,
        )
        return await self.decide(decision)

    async def reject(
        self,
        approval_id: str,
        *,
        operator: str,
        reason: str | None = None,
        message: str | None = None,
        always: bool = False,
    ) -> TurnResult:
        """Reject a tool call; ``message`` is what the model is told (default: from ``reason``)."""
        decision = ApprovalDecision(
            approval_id=approval_id,
            approve=False,
            operator=operator,
            reason=reason,
            message=message,
            always=always,
        )
        return await self.decide(decision)

    async def stop(
        self, *, operator: str, reason: str | None = None, turn: int | None = None
    ) -> TurnResult:
        """Stop the turn in progress, running or waiting for approvals.

        The model call in flight is cancelled, approvals the turn waits for are rejected, the
        agent's memory is rolled back to before the turn, and the transcript records who
        stopped it. The conversation then takes the next message as usual.

        Args:
            operator: Who stops it; the transcript names them.
            reason: Why, for the transcript.
            turn: The turn meant (``ConversationStatus.turn``); if it has already ended, the
                request is refused rather than stopping a later turn.

        Returns:
            How the turn ended: ``stopped``, or its own outcome when it ended first.

        Raises:
            ConversationRefused: No turn is in progress (``NothingToStop``), or the turn
                began on a workflow version that cannot stop it (``CannotStop``).
        """
        request = StopTurn(operator=operator, reason=reason, turn=turn)
        return await self._update(STOP_TURN, request, TurnResult)

    async def close(self, reason: str | None = None) -> ConversationSummary:
        """End the conversation; undecided approvals are rejected."""
        return await self._update(CLOSE_CONVERSATION, reason, ConversationSummary)

    async def status(self) -> ConversationStatus:
        """Where the conversation stands."""
        return await self._query(STATUS, ConversationStatus)

    async def transcript(self, since: int = 0) -> list[TranscriptEntry]:
        """The transcript from entry ``since`` on."""
        return await self._query(TRANSCRIPT, list[TranscriptEntry], since)

    async def pending_approvals(self) -> list[PendingApproval]:
        """Approvals waiting for a decision."""
        return await self._query(PENDING_APPROVALS, list[PendingApproval])

    async def usage(self) -> UsageReport:
        """Tokens used: in total, per agent, and per recent model call."""
        return await self._query(USAGE, UsageReport)

    async def _update(self, name: str, arg: Any, result_type: type[_T]) -> _T:
        try:
            return await self.handle.execute_update(name, arg, result_type=result_type)
        except WorkflowUpdateFailedError as error:
            refused = _refused(error)
            if refused is None:
                raise
            raise refused from error

    async def _start_update(
        self, name: str, arg: Any, result_type: type[_T]
    ) -> WorkflowUpdateHandle[_T]:
        try:
            update = await self.handle.start_update(
                name,
                arg,
                wait_for_stage=WorkflowUpdateStage.ACCEPTED,
                result_type=result_type,
            )
            # An update the validator rejected is already complete, with a failure, but
            # start_update returns it like any other; temporalio 1.35 offers no public way to
            # tell, short of asking for the result, which for a known outcome returns (or
            # raises) at once, while for an accepted one it would wait for the turn.
            if getattr(update, "_known_outcome", None) is not None:
                await update.result()
            return update
        except WorkflowUpdateFailedError as error:
            refused = _refused(error)
            if refused is None:
                raise
            raise refused from error

    def _query(self, name: str, result_type: Any, *args: Any) -> Awaitable[Any]:
        return self.handle.query(name, args=args, result_type=result_type)


def _refused(error: WorkflowUpdateFailedError) -> ConversationRefused | None:
    """The `ConversationRefused` a failed update means, if the conversation refused it."""
    cause = error.cause
    if isinstance(cause, ApplicationError) and cause.type in REFUSAL_REASONS:
        return ConversationRefused(cast(RefusalReason, cause.type), cause.message)
    return None
