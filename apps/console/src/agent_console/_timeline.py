"""A conversation's run timeline and its usage and cost, as rows for tables."""

from __future__ import annotations

import bisect
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from agent_console._history import ModelCall
from agent_console._live import GuardrailVerdict
from agent_console._pricing import cost_of, format_cost, sum_costs
from agent_console._text import clip, clock, counted, duration
from agents_temporal.client import TranscriptEntry, UsageReport, UsageTotals


@dataclass
class TimelineRow:
    """One step of a run."""

    turn: int
    """The conversation turn."""

    at: datetime
    """When it happened."""

    event: str
    """What happened: ``message``, ``model call``, ``tool call``, ``handoff``, ..."""

    agent: str = ""
    """The agent involved."""

    detail: str = ""
    """What the step said or did."""

    latency: str = ""
    """For model calls, how long they took."""

    tokens: str = ""
    """For model calls, input / output tokens."""

    decided_by: str = ""
    """For approval decisions, who decided."""

    def as_record(self) -> dict[str, str | int]:
        """The row as a table record."""
        return {
            "Turn": self.turn,
            "Time": clock(self.at),
            "Event": self.event,
            "Agent": self.agent,
            "Latency": self.latency,
            "Tokens (in/out)": self.tokens,
            "Decided by": self.decided_by,
            "Detail": self.detail,
        }


_EVENTS = {
    "user_message": "user message",
    "agent_message": "answer",
    "tool_call": "tool call",
    "tool_output": "tool output",
    "handoff": "handoff",
    "approval_requested": "approval requested",
    "approval_decision": "approval decided",
    "turn_failed": "turn stopped",
    "closed": "closed",
}


def _entry_row(entry: TranscriptEntry) -> TimelineRow:
    detail = entry.text
    if entry.kind == "tool_call":
        detail = f"{entry.tool}({entry.arguments or ''})"
    elif entry.kind == "approval_requested":
        detail = f"{entry.tool}({entry.arguments or ''}) waits for approval {entry.approval_id}"
    decided_by = ""
    if entry.decision is not None:
        record = entry.decision
        decided_by = record.operator if record.source == "operator" else record.source
        verb = "approved" if record.approved else "rejected"
        edited = " with edited arguments" if record.edited_arguments is not None else ""
        because = f": {record.reason}" if record.reason else ""
        detail = f"{record.tool} {verb}{edited}{because}"
    return TimelineRow(
        turn=entry.turn,
        at=entry.at,
        event=_EVENTS.get(entry.kind, entry.kind),
        agent=entry.agent or entry.sender or "",
        detail=clip(detail),
        decided_by=decided_by,
    )


def _call_row(call: ModelCall, turn: int, roster: set[str], default_model: str) -> TimelineRow:
    guardrail = call.agent is not None and call.agent not in roster
    model = call.ran or default_model
    attempts = f", retried: {counted(call.attempts, 'attempt')}" if call.attempts > 1 else ""
    outcome = "" if call.outcome == "completed" else f", {call.outcome}"
    said = f" → {call.output}" if call.output else ""
    usage = call.usage
    return TimelineRow(
        turn=turn,
        at=call.scheduled_at,
        event="guardrail check" if guardrail else "model call",
        agent=call.agent or "",
        detail=clip(f"{model}{attempts}{outcome}{said}"),
        latency=duration(call.latency_seconds),
        tokens="" if usage is None else f"{usage.input_tokens:,} / {usage.output_tokens:,}",
    )


_PRODUCED = frozenset({"agent_message", "tool_call", "handoff"})
"""Transcript entries that a model response produced, one per message or function call."""

_ENDINGS = frozenset({"turn_failed", "turn_stopped", "closed"})
"""Transcript entries that end a turn: whatever else the turn did came before them."""

_Step = ModelCall | GuardrailVerdict


def _moment(step: ModelCall | GuardrailVerdict) -> datetime:
    return step.scheduled_at if isinstance(step, ModelCall) else step.at


def _steps_in_order(
    calls: Sequence[ModelCall], verdicts: Sequence[GuardrailVerdict]
) -> list[_Step]:
    """Model calls in history order, each verdict after the calls scheduled before it."""
    steps: list[_Step] = list(calls)
    for verdict in verdicts:
        index = len(steps)
        while index > 0 and _moment(steps[index - 1]) > verdict.at:
            index -= 1
        steps.insert(index, verdict)
    return steps


def _claims(step: _Step, roster: set[str]) -> int:
    """How many transcript entries ``step`` produced: 0 for guardrails and failed calls."""
    if not isinstance(step, ModelCall) or step.outcome != "completed":
        return 0
    if step.agent is not None and step.agent not in roster:
        return 0
    # An unreadable response (encrypted, say) produced at least the entry that follows it.
    return 1 if step.produced is None else step.produced


def _turn_in_order(
    entries: Sequence[TranscriptEntry],
    steps: Sequence[_Step],
    row_of: Callable[[_Step], TimelineRow],
    roster: set[str],
) -> list[TimelineRow]:
    """One turn's rows in the workflow's own order, never by timestamp.

    The transcript is in the order the workflow recorded it, but the entries of one run all
    carry the time the run ended; model calls carry the time history scheduled them. So each
    model call goes right before the first entry its response produced (counted from the
    response), guardrail checks and verdicts keep their place among the calls, and an entry
    that ends the turn comes after everything the turn did.
    """
    pending = deque(steps)
    rows: list[TimelineRow] = []
    owed = 0
    for entry in entries:
        if entry.kind in _ENDINGS:
            rows += [row_of(step) for step in pending]
            pending.clear()
        elif entry.kind in _PRODUCED:
            if owed > 0:
                owed -= 1
            else:
                while pending:
                    step = pending.popleft()
                    rows.append(row_of(step))
                    claims = _claims(step, roster)
                    if claims > 0 and isinstance(step, ModelCall):
                        owed = claims - 1
                        rows += [row_of(s) for s in _alongside(step, pending, roster)]
                        break
        rows.append(_entry_row(entry))
    rows += [row_of(step) for step in pending]
    return rows


def _alongside(call: ModelCall, pending: deque[_Step], roster: set[str]) -> list[_Step]:
    """Take the guardrail steps that began while ``call`` ran.

    Input guardrails run beside the agent's first call: they come before what it produced.
    """
    taken: list[_Step] = []
    while (
        pending
        and call.closed_at is not None
        and _claims(pending[0], roster) == 0
        and _moment(pending[0]) <= call.closed_at
    ):
        taken.append(pending.popleft())
    return taken


def timeline(
    entries: Sequence[TranscriptEntry],
    calls: Sequence[ModelCall],
    *,
    roster: Iterable[str],
    default_model: str,
    verdicts: Sequence[GuardrailVerdict] = (),
) -> list[TimelineRow]:
    """Every step of the conversation in the workflow's order, grouped by turn.

    Model calls come from history, which knows nothing of turns: each is given the turn whose
    user message came last before the call was scheduled. Calls by agents outside the roster
    are the guardrails' classifiers; their output is the verdict and its reasoning.
    """
    starts = sorted((e.at, e.turn) for e in entries if e.kind == "user_message")
    moments = [at for at, _ in starts]

    def turn_at(moment: datetime) -> int:
        index = bisect.bisect_right(moments, moment) - 1
        return starts[index][1] if index >= 0 else 0

    names = set(roster)
    steps: dict[int, list[_Step]] = {}
    for step in _steps_in_order(calls, verdicts):
        steps.setdefault(turn_at(_moment(step)), []).append(step)

    def row_of(step: _Step) -> TimelineRow:
        if isinstance(step, ModelCall):
            return _call_row(step, turn_at(_moment(step)), names, default_model)
        return _verdict_row(step, turn_at(_moment(step)))

    turns = sorted({e.turn for e in entries} | set(steps))
    rows: list[TimelineRow] = []
    for turn in turns:
        shown = [e for e in entries if e.turn == turn and e.kind != "tool_output"]
        rows += _turn_in_order(shown, steps.get(turn, []), row_of, names)
    return rows


def _verdict_row(verdict: GuardrailVerdict, turn: int) -> TimelineRow:
    outcome = "tripped" if verdict.tripped else "passed"
    return TimelineRow(
        turn=turn,
        at=verdict.at,
        event="guardrail verdict",
        agent=verdict.agent or "",
        detail=clip(f"{verdict.name}: {outcome}. {verdict.reasoning}"),
    )


def guardrail_usage(calls: Sequence[ModelCall], roster: Iterable[str]) -> UsageTotals:
    """Tokens of the model calls that guardrails' classifiers made (agents outside the roster).

    The conversation's own usage counts only its agents' calls: a guardrail runs its classifier
    in a run of its own, so its tokens are known only from history.
    """
    names = set(roster)
    totals = UsageTotals()
    for call in calls:
        if call.agent is not None and call.agent not in names and call.usage is not None:
            totals.add(call.usage)
    return totals


def token_summary(agents: UsageTotals, guardrails: UsageTotals) -> str:
    """The header's token count: every call's tokens, with the guardrails' share named.

    Args:
        agents: The conversation's own usage (its agents' model calls).
        guardrails: The guardrails' classifier calls (`guardrail_usage`).
    """
    total = counted(agents.total_tokens + guardrails.total_tokens, "token")
    if not guardrails.total_tokens:
        return total
    return f"{total} ({guardrails.total_tokens:,} in guardrail checks)"


@dataclass
class UsageRow:
    """Tokens and cost of one agent."""

    agent: str
    """The agent (or a guardrail's classifier)."""

    model: str
    """The model its calls used."""

    usage: UsageTotals
    """Its tokens."""

    cost: Decimal | None
    """What they cost; None for a model without a known price."""

    source: str = "usage"
    """``usage`` (the conversation's own accounting) or ``history`` (guardrail calls)."""

    def as_record(self) -> dict[str, str | int]:
        """The row as a table record."""
        return {
            "Agent": self.agent,
            "Model": self.model,
            "Requests": self.usage.requests,
            "Input tokens": self.usage.input_tokens,
            "Cached input": self.usage.cached_input_tokens,
            "Output tokens": self.usage.output_tokens,
            "Total tokens": self.usage.total_tokens,
            "Cost": format_cost(self.cost),
        }


def usage_rows(
    report: UsageReport, calls: Sequence[ModelCall], *, default_model: str
) -> list[UsageRow]:
    """Tokens and cost per agent: the conversation's accounting, plus guardrail calls.

    The conversation counts its agents' model calls; calls made inside guardrails are not in
    its report, so they are added from history where their responses could be read.
    """
    models: dict[str, Counter[str]] = {}
    for call in calls:
        if call.agent is not None:
            models.setdefault(call.agent, Counter())[call.model or default_model] += 1

    def model_of(agent: str) -> str:
        counts = models.get(agent)
        return counts.most_common(1)[0][0] if counts else default_model

    rows = [
        UsageRow(agent, model_of(agent), totals, cost_of(totals, model_of(agent)))
        for agent, totals in sorted(report.by_agent.items())
    ]
    extra: dict[str, UsageTotals] = {}
    for call in calls:
        if call.agent is None or call.agent in report.by_agent or call.usage is None:
            continue
        extra.setdefault(call.agent, UsageTotals()).add(call.usage)
    rows += [
        UsageRow(agent, model_of(agent), totals, cost_of(totals, model_of(agent)), "history")
        for agent, totals in sorted(extra.items())
    ]
    return rows


def total_cost(rows: Sequence[UsageRow]) -> Decimal | None:
    """The conversation's cost; None when some model's price is unknown."""
    return sum_costs([row.cost for row in rows])
