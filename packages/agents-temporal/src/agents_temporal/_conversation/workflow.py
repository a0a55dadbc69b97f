"""Workflow side: ConversationWorkflow, one durable workflow per conversation."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Coroutine
from typing import Any, ClassVar, Generic, TypeVar, cast

from agents import (
    Agent,
    AgentsException,
    Handoff,
    RunConfig,
    RunContextWrapper,
    RunHooks,
    Runner,
    RunState,
)
from agents.result import RunResultStreaming
from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python
from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from .._errors import AgentsWorkflowError
from .._payloads.workflow_refs import reference_stored_items
from .._streaming.log import StreamEventLog
from .._tracing.context import TraceScope
from .approval_types import ApprovalContext, ApprovalDecision, PendingApproval, PendingRun
from .approvals import apply_decisions, apply_edits, capture_approvals
from .session import WorkflowSession
from .start_input import refusal_message, start_input_problems, started_by_continue_as_new
from .state import ConversationState
from .transcript import as_text, describe_turn_error, entries_for_items
from .types import (
    CLOSE_CONVERSATION,
    DECIDE_APPROVAL,
    INVALID_INPUT,
    PENDING_APPROVALS,
    SEND_MESSAGE,
    STATUS,
    STOP_TURN,
    TRANSCRIPT,
    USAGE,
    ConversationConfig,
    ConversationInput,
    ConversationSnapshot,
    ConversationStatus,
    ConversationSummary,
    SendMessage,
    StopTurn,
    TranscriptEntry,
    TurnResult,
    refusal,
)
from .usage import UsageHooks
from .usage_types import UsageReport

TContext = TypeVar("TContext")

# Failures of one turn that the conversation survives: the turn is reported as failed and the
# next message starts afresh. Anything else (a bug in workflow code) fails the workflow task,
# so Temporal retries it once the code is fixed.
# ActivityError: a model call that failed for good (the published integration's form).
_TURN_ERRORS = (AgentsException, ApplicationError, ActivityError)
TOO_MANY_APPROVALS = "TooManyApprovals"
"""The error type of a turn that asked for more approvals than its conversation allows."""
_STREAM_EVENTS_KEPT = 500
"""Durable stream events carried into the next run (observers resume within them)."""
STOP_TURN_PATCH = "agents_temporal.stoppable_turns"
"""The ``workflow.patched`` id under which a turn runs in a task of its own (so it can be
stopped); runs recorded before it await their turns directly, as their histories did."""


def _agents_by_name(root: Agent[Any]) -> dict[str, Agent[Any]]:
    """Every agent reachable from ``root`` through handoffs, by name (the first one wins)."""
    found: dict[str, Agent[Any]] = {}
    queue: deque[Agent[Any]] = deque([root])
    while queue:
        agent = queue.popleft()
        if agent.name in found:
            continue
        found[agent.name] = agent
        for target in agent.handoffs:
            if isinstance(target, Handoff):
                # handoff() keeps a weak reference to its agent; the SDK resolves resumed
                # states through the same reference.
                ref = getattr(target, "_agent_ref", None)
                target = ref() if callable(ref) else None
            if isinstance(target, Agent):
                queue.append(cast(Agent[Any], target))
    return found


def _no_context(_context: Any) -> dict[str, Any]:
    # The conversation keeps the run context itself (and restores it with context_override),
    # so a RunState snapshot need not carry a second, lossy copy of it.
    return {}


APPROVAL_TIMER_SUMMARY = "approval expiry"
"""The name of the timer that rejects approvals nobody decided in time, in the Web UI."""


class ConversationWorkflow(Generic[TContext]):
    """A multi-turn conversation with agents, one workflow per conversation.

    Subclass it, build the agent graph in ``build_agent``, and define the ``@workflow.run``
    method (Temporal requires it on the class itself) that calls ``run_conversation``::

        @workflow.defn
        class SupportConversation(ConversationWorkflow[SupportContext]):
            context_type = SupportContext

            def build_agent(self) -> Agent[SupportContext]:
                return build_triage_agent()

            @workflow.run
            async def run(self, input: ConversationInput) -> ConversationSummary:
                return await self.run_conversation()

    **The workflow's config wins over the client's.** ``conversation_config`` holds what the
    workflow allows; a client's ``ConversationInput.config`` may only tighten it (see
    ``ConversationConfig.tightened_by``), its context is bounded (``max_context_bytes``), and a
    start input carrying a snapshot (the state that continue-as-new carries) is refused: the
    workflow fails at once with a non-retryable ``InvalidConversationInput`` error saying why.

    A subclass that needs an ``__init__`` of its own must take the same ``input``, decorate it
    with ``@workflow.init`` and call ``super().__init__(input)``. It may add handlers of its
    own, and override ``run_config``, ``run_hooks``, ``load_context`` and ``describe_error``.

    Clients talk to it with updates and queries (``agents_temporal.client.ConversationHandle``
    wraps them): ``send_message`` returns the agent's reply or the approvals the turn waits
    for; ``decide_approval`` answers an approval; ``close_conversation`` ends it; the
    ``status``, ``transcript``, ``pending_approvals`` and ``usage`` queries show the rest.

    Turns run one at a time, in the workflow's main loop; handlers only validate and hand work
    to it. **A message sent while the agent is busy (answering, or waiting for an approval) is
    refused, not queued**: every message states the turn it answers (``SendMessage.turn``),
    and a message queued behind a running turn would answer a reply its sender has not read
    yet. The sender gets a clear ``AgentBusy`` refusal and sends again once the reply is in.

    Everything the conversation needs (session items, current agent by name, run context,
    transcript, approvals and their paused run, "always" policies, usage) is plain data, carried
    into a new run when Temporal suggests continuing as new (or a configured threshold is
    reached) once the handlers in flight have finished, so clients never notice.

    Attributes:
        context_type: The run context's type (a dataclass or pydantic model), validated from
            ``ConversationInput.context``; None keeps the JSON data as it is.
        conversation_config: What this workflow allows (message length, approvals per turn,
            ...); set it in the subclass. Clients may only tighten it.
        config: How this conversation behaves: ``conversation_config`` as the client tightened
            it when the conversation started, kept across continue-as-new.
        context: The run context, shared by every turn (set when the run starts).
        session: The conversation's memory, given to every run.
    """

    context_type: ClassVar[type[Any] | None] = None
    conversation_config: ClassVar[ConversationConfig] = ConversationConfig()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A mistake in the app's own limits shows when its module is imported, not as every
        # conversation failing to start.
        problems = cls.conversation_config.problems()
        if problems:
            raise TypeError(
                f"{cls.__name__}.conversation_config is not usable: {'; '.join(problems)}"
            )

    @workflow.init
    def __init__(self, input: ConversationInput) -> None:
        # The start input is checked here but refused by run_conversation: an error raised
        # here would fail the workflow task over and over instead of failing the workflow.
        self._refused: str | None = None
        if input.snapshot is not None and started_by_continue_as_new(workflow.info()):
            # Written by this conversation's previous run, with the config it started with.
            self.config = input.config
            snapshot = input.snapshot
        else:
            allowed = type(self).conversation_config
            problems = start_input_problems(input, allowed)
            if problems:
                self._refused = refusal_message(problems)
            self.config = allowed if problems else allowed.tightened_by(input.config)
            snapshot = ConversationSnapshot(
                turn=0,
                current_agent=None,
                context=None if problems else input.context,
                session_items=[],
                transcript=[],
                pending_run=None,
                tool_policies={},
                usage=UsageReport(keep_calls=self.config.keep_usage_calls),
                approvals_requested=0,
                workflow_runs=0,
            )
        self._context_data = snapshot.context
        self.session = WorkflowSession(workflow.info().workflow_id, snapshot.session_items)
        self._state = ConversationState(self.config, snapshot)
        self._root: Agent[Any] | None = None
        self._graph: dict[str, Agent[Any]] = {}
        # Observers follow the conversation through this log (agents_temporal.streaming).
        self.events = StreamEventLog(snapshot.stream)
        # The trace of the update that brought the work the main loop does next, so that a
        # turn is one trace with the update that caused it.
        self._scope: TraceScope | None = None
        # The turn in progress, while the main loop serves one: stop_turn cancels it.
        self._turn_task: asyncio.Task[None] | None = None
        self._running: RunResultStreaming | None = None

    # -- What subclasses provide -------------------------------------------------------------

    def build_agent(self) -> Agent[TContext]:
        """The starting agent; every agent the conversation may reach is a handoff away.

        Called once per workflow run, in the workflow. Agent names must be unique: the current
        agent is remembered by name across turns and continue-as-new.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement build_agent()")

    def load_context(self, data: Any) -> TContext:
        """The run context from its JSON data (see ``context_type``)."""
        if self.context_type is None:
            return cast(TContext, data)
        return cast(TContext, TypeAdapter(self.context_type).validate_python(data or {}))

    def run_config(self) -> RunConfig | None:
        """The ``RunConfig`` for every run (model, guardrails, ...); None for the defaults."""
        return None

    def run_hooks(self) -> RunHooks[TContext] | None:
        """Extra run hooks for every run (usage is recorded regardless)."""
        return None

    async def prepare(self) -> None:
        """Runs once per workflow run, after the context is loaded and before the first turn.

        Override it to record what the conversation needs from the outside world (settings,
        a customer profile) with activities; keep what you learn in the context, which is
        carried across continue-as-new, so a later run can skip the work.
        """

    def describe_error(self, error: Exception) -> str:
        """What the transcript and the sender are told when a turn fails."""
        return describe_turn_error(error)

    async def describe_approval(self, approval: PendingApproval) -> ApprovalContext | None:
        """What an operator should know to decide ``approval``: a summary and facts.

        Override it to put a tool call in the domain's terms ("Refund $150.00 of order
        ORD-10042, total $189.00"); it may run activities to look things up, whose results
        history keeps. It runs once per approval, before the approval is shown to anyone,
        except for calls an "always" policy decides. An `ActivityError` leaves the approval
        without context rather than failing the turn. Add a ``workflow.patched`` guard when
        adding it to a workflow that already has conversations running, since its activities
        are new commands. The default gives no context.
        """
        return None

    # -- The agents ----------------------------------------------------------------------------

    @property
    def starting_agent(self) -> Agent[TContext]:
        """The agent ``build_agent`` returned (built on first use)."""
        if self._root is None:
            self._root = self.build_agent()
            self._graph = _agents_by_name(self._root)
        return cast(Agent[TContext], self._root)

    @property
    def current_agent(self) -> Agent[TContext]:
        """The agent that answers the next message."""
        root = self.starting_agent
        name = self._state.current_agent
        if name is None:
            return root
        agent = self._graph.get(name)
        if agent is None:
            # The graph changed under a running conversation (a new deployment); going on
            # with the first agent keeps the conversation alive.
            workflow.logger.warning("Agent %r is no longer in the graph; using %r", name, root.name)
            return root
        return cast(Agent[TContext], agent)

    # -- Updates and queries -------------------------------------------------------------------

    @workflow.update(name=SEND_MESSAGE)
    async def send_message(self, message: SendMessage) -> TurnResult:
        """Send a user message; returns the reply, or the approvals the turn waits for."""
        self._state.accept_message(message, workflow.now())
        self._scope = TraceScope.current()
        return await self._next_outcome()

    @send_message.validator
    def _check_message(self, message: SendMessage) -> None:
        self._check_started()
        self._state.check_message(message)

    @workflow.update(name=DECIDE_APPROVAL)
    async def decide_approval(self, decision: ApprovalDecision) -> TurnResult:
        """Answer a pending approval; once the turn's last one is answered, returns its end."""
        self._state.decide_by_operator(decision, workflow.now())
        if self._state.undecided():
            return self._state.awaiting(self.current_agent.name)
        self._scope = TraceScope.current()
        return await self._next_outcome()

    @decide_approval.validator
    def _check_decision(self, decision: ApprovalDecision) -> None:
        self._check_started()
        self._state.check_decision(decision)

    @workflow.update(name=STOP_TURN)
    async def stop_turn(self, request: StopTurn) -> TurnResult:
        """Stop the turn in progress; returns how it ended (normally ``stopped``).

        A running turn is cancelled where it is (the model call in flight is cancelled, and a
        model activity that heartbeats learns it at its next heartbeat), a turn waiting for
        approvals has them rejected; either way the agent's memory is rolled back to before the
        turn, as for a failed turn, and the transcript says who stopped it. A turn that ends
        on its own before the cancellation lands keeps its outcome, which is returned.
        """
        state = self._state
        if state.stop is None:
            state.stop = request
            if state.paused():
                assert state.run is not None
                return self._end_stopped(state.run.turn, state.run.session_length)
            if state.working and self._turn_task is not None:
                self._turn_task.cancel()
            # Otherwise the loop has the turn but has not begun it: it ends it when it does.
        await workflow.wait_condition(lambda: state.stop is None)
        assert state.outcome is not None
        return state.outcome

    @stop_turn.validator
    def _check_stop(self, request: StopTurn) -> None:
        self._check_started()
        self._state.check_stop(request)
        if self._state.working and self._turn_task is None:
            raise refusal(
                "CannotStop",
                f"Turn {self._state.turn} began before this conversation could stop turns (it "
                "started on an older version of the workflow): wait for its reply.",
            )

    @workflow.update(name=CLOSE_CONVERSATION)
    async def close_conversation(self, reason: str | None = None) -> ConversationSummary:
        """End the conversation; undecided approvals are rejected."""
        self._state.closing_reason = reason or "closed"
        await workflow.wait_condition(lambda: self._state.closed)
        return self._summary()

    @close_conversation.validator
    def _check_close(self, reason: str | None = None) -> None:
        self._check_started()
        self._state.check_close()

    def _check_started(self) -> None:
        if self._refused is not None:
            raise refusal(INVALID_INPUT, self._refused)

    @workflow.query(name=STATUS)
    def status(self) -> ConversationStatus:
        """Where the conversation stands."""
        return self._state.status(self.current_agent.name)

    @workflow.query(name=TRANSCRIPT)
    def transcript(self, since: int = 0) -> list[TranscriptEntry]:
        """The transcript from entry ``since`` on."""
        return self._state.transcript[since:]

    @workflow.query(name=PENDING_APPROVALS)
    def pending_approvals(self) -> list[PendingApproval]:
        """Approvals waiting for a decision."""
        return self._state.undecided()

    @workflow.query(name=USAGE)
    def usage(self) -> UsageReport:
        """Tokens used: in total, per agent, and per recent model call."""
        return self._state.usage

    # -- The main loop ---------------------------------------------------------------------------

    async def run_conversation(self) -> ConversationSummary:
        """Serve turns, approvals and continue-as-new until the conversation is closed."""
        if self._refused is not None:
            raise AgentsWorkflowError(self._refused, type=INVALID_INPUT)
        try:
            # Validated here rather than in __init__, so that bad input fails the workflow
            # with a clear error instead of failing its first task over and over.
            self.context: TContext = self.load_context(self._context_data)
        except ValidationError as error:
            raise AgentsWorkflowError(
                f"The conversation's context does not fit {self.context_type!r}: {error}",
                type=INVALID_INPUT,
            ) from error
        await self.prepare()
        state = self._state
        while state.closing_reason is None:
            try:
                await workflow.wait_condition(
                    lambda: state.busy() or state.closing_reason is not None,
                    timeout=state.seconds_to_next_expiry(workflow.now()),
                    # Names the timer in the Web UI; metadata only, so replay is unaffected.
                    timeout_summary=APPROVAL_TIMER_SUMMARY,
                )
            except TimeoutError:
                state.expire(workflow.now())
                continue
            if state.inbox is not None:
                await self._serve(self._take_turn(*state.inbox))
            elif state.run_ready():
                await self._serve(self._resume())
            await self._continue_as_new_if_due()
        state.close(workflow.now())
        await self.events.close()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._summary()

    async def _serve(self, work: Coroutine[Any, Any, None]) -> None:
        """Run a turn's work (a new turn, or a resumed one) to its end."""
        if not workflow.patched(STOP_TURN_PATCH):
            await work
            return
        # A task of its own, so that stop_turn can cancel the turn without cancelling the loop.
        self._turn_task = asyncio.create_task(work)
        try:
            await self._turn_task
        finally:
            self._turn_task = None
        state = self._state
        if state.stop is not None and state.paused():
            # The turn paused for approvals just before the stop landed: stop it there.
            assert state.run is not None
            self._end_stopped(state.run.turn, state.run.session_length)
        # A stop that arrived as its turn ended on its own ends with it.
        state.stop = None

    async def _take_turn(self, turn: int, message: SendMessage) -> None:
        state = self._state
        state.inbox = None
        session_length = len(self.session)
        if state.stop is not None:
            # Stopped after the message was accepted, before its turn began.
            self._end_stopped(turn, session_length)
            return
        state.working = True
        state.turns_this_run += 1
        try:
            result = await self._run(self.current_agent, message.text, turn)
            self._check_approvals(result, turn, 0)
        except (*_TURN_ERRORS, asyncio.CancelledError) as error:
            if state.stop is not None:
                await self._wind_down()
                self._end_stopped(turn, session_length)
            elif isinstance(error, asyncio.CancelledError):
                raise
            else:
                self.session.truncate(session_length)
                self._fail(turn, error)
        else:
            await self._settle(result, turn, 0, session_length, 0)
        finally:
            state.working = False
            self._running = None

    async def _resume(self) -> None:
        state = self._state
        run = state.run
        assert run is not None
        if state.stop is not None:
            self._end_stopped(run.turn, run.session_length)
            return
        state.working = True
        asked_before = run.approvals_before + len(run.approvals)
        try:
            state_json = await apply_edits(run, self.session)
            paused = await RunState.from_json(
                self.starting_agent, state_json, context_override=RunContextWrapper(self.context)
            )
            apply_decisions(paused, run.approvals)
            result = await self._run(self.starting_agent, paused, run.turn)
            self._check_approvals(result, run.turn, asked_before)
        except (*_TURN_ERRORS, asyncio.CancelledError) as error:
            if state.stop is not None:
                await self._wind_down()
                self._end_stopped(run.turn, run.session_length, run.items_seen)
            elif isinstance(error, asyncio.CancelledError):
                raise
            else:
                state.run = None
                self.session.truncate(run.session_length)
                self._fail(run.turn, error)
        else:
            await self._settle(result, run.turn, run.items_seen, run.session_length, asked_before)
        finally:
            state.working = False
            self._running = None

    async def _run(self, agent: Agent[Any], input: Any, turn: int) -> RunResultStreaming:
        scope, self._scope = self._scope, None
        with scope.attached() if scope is not None else contextlib.nullcontext():
            result = Runner.run_streamed(agent, input, **self._options(turn))
            self._running = result
            await self.events.publish_run(result)
        return result

    async def _wind_down(self) -> None:
        """Let a stopped run's own tasks finish cancelling before the turn is rolled back.

        The SDK runs the agent loop in a task of its own; until it is done, the model call in
        flight (and its stream of deltas) has not ended, and it could still touch the session.
        """
        result = self._running
        if result is None:
            return
        result.cancel()
        loop_task = result.run_loop_task
        if loop_task is not None:
            await workflow.wait_condition(loop_task.done)

    def _end_stopped(self, turn: int, session_length: int, items_seen: int = 0) -> TurnResult:
        """End ``turn`` as stopped: roll the session back and record who stopped it."""
        state = self._state
        stop = state.stop
        assert stop is not None
        now = workflow.now()
        if self._running is not None:
            # What the run did before it was stopped (a tool that ran) stays on the record.
            state.transcript.extend(
                entries_for_items(self._running.new_items[items_seen:], turn, now)
            )
        # As for a failed turn, the model never sees half a turn (a call without its output).
        self.session.truncate(session_length)
        agent = self.current_agent.name
        self.events.publish(
            "turn_stopped",
            agent=agent,
            text=f"{stop.operator} stopped turn {turn}",
            data={"turn": turn, "operator": stop.operator, "reason": stop.reason},
        )
        return state.end_stopped_turn(turn, agent, now)

    def _options(self, turn: int) -> dict[str, Any]:
        return {
            "context": self.context,
            "session": self.session,
            "hooks": UsageHooks(self._state.usage, turn, self.run_hooks()),
            "run_config": self.run_config(),
            "max_turns": self.config.max_agent_turns,
        }

    def _check_approvals(self, result: RunResultStreaming, turn: int, asked_before: int) -> None:
        """Fail the turn when it asks for more approvals than the conversation allows.

        Each approval is work for the workflow (and for an operator), so the limit is checked
        before any of them is recorded.
        """
        asked = asked_before + len(result.interruptions)
        limit = self.config.max_approvals_per_turn
        if asked > limit:
            raise AgentsWorkflowError(
                f"The agent asked for approval of {asked:,} tool calls in turn {turn}, more than "
                f"the {limit} a turn of this conversation may ask for "
                "(ConversationConfig.max_approvals_per_turn), so the calls waiting for approval "
                "did not run: ask for fewer things at once.",
                type=TOO_MANY_APPROVALS,
            )

    async def _settle(
        self,
        result: RunResultStreaming,
        turn: int,
        items_seen: int,
        session_length: int,
        asked_before: int,
    ) -> None:
        state = self._state
        now = workflow.now()
        state.transcript.extend(entries_for_items(result.new_items[items_seen:], turn, now))
        state.current_agent = result.last_agent.name
        if not result.interruptions:
            state.run = None
            reply = as_text(result.final_output)
            agent = result.last_agent.name
            state.publish(TurnResult(turn=turn, status="completed", agent=agent, reply=reply))
            return
        approvals = capture_approvals(
            result.interruptions,
            turn=turn,
            now=now,
            timeout=self.config.approval_timeout,
            new_id=state.new_approval_id,
        )
        for approval in approvals:
            if approval.tool not in state.policies:
                approval.context = await self._approval_context(approval)
        state.run = PendingRun(
            turn=turn,
            state=result.to_state().to_json(context_serializer=_no_context),
            items_seen=len(result.new_items),
            session_length=session_length,
            approvals=approvals,
            approvals_before=asked_before,
        )
        state.request(approvals, now)
        if state.undecided():
            state.publish(state.awaiting(result.last_agent.name))
        # Otherwise "always" policies decided every call: the loop resumes the run at once.

    async def _approval_context(self, approval: PendingApproval) -> ApprovalContext | None:
        try:
            return await self.describe_approval(approval)
        except ActivityError as error:
            # Context helps an operator decide; without it the decision is still possible.
            workflow.logger.warning(
                "No context for approval %s (%s): %s", approval.id, approval.tool, error
            )
            return None

    def _fail(self, turn: int, error: Exception) -> None:
        message = self.describe_error(error)
        agent = self.current_agent.name
        workflow.logger.warning("Turn %d failed: %s", turn, message)
        self._state.transcript.append(
            TranscriptEntry(
                turn=turn, kind="turn_failed", text=message, at=workflow.now(), agent=agent
            )
        )
        self._state.publish(TurnResult(turn=turn, status="failed", agent=agent, error=message))

    async def _next_outcome(self) -> TurnResult:
        seen = self._state.outcomes
        await workflow.wait_condition(lambda: self._state.outcomes > seen)
        assert self._state.outcome is not None
        return self._state.outcome

    # -- Continue-as-new -----------------------------------------------------------------------

    def _continue_as_new_due(self) -> bool:
        info = workflow.info()
        after_turns = self.config.continue_as_new_after_turns
        after_events = self.config.continue_as_new_after_events
        return (
            info.is_continue_as_new_suggested()
            or (after_turns is not None and self._state.turns_this_run >= after_turns)
            or (after_events is not None and info.get_current_history_length() >= after_events)
        )

    async def _continue_as_new_if_due(self) -> None:
        if not self._continue_as_new_due():
            return
        state = self._state
        # Updates this run accepted must finish in it. A handler in flight either completes on
        # its own or waits for work only the loop can do; serve that work first, and check
        # again after it.
        await workflow.wait_condition(
            lambda: (
                workflow.all_handlers_finished() or state.busy() or state.closing_reason is not None
            )
        )
        if state.busy() or state.closing_reason is not None:
            return
        await self.events.close()
        snapshot = state.snapshot(
            to_jsonable_python(self.context),
            # Items already in the payload store travel as one reference, not again in full.
            reference_stored_items(self.session.export_items()),
            self.events.state(keep_last=_STREAM_EVENTS_KEPT),
        )
        workflow.continue_as_new(ConversationInput(config=self.config, snapshot=snapshot))

    def _summary(self) -> ConversationSummary:
        return ConversationSummary(
            turns=self._state.turn,
            last_agent=self.current_agent.name,
            reason=self._state.closing_reason,
            usage=self._state.usage.total,
            workflow_runs=self._state.workflow_runs,
        )
