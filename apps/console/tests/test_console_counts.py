"""Counts as people write them, and the header's token count with the guardrails' share."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent_console._history import ModelCall
from agent_console._roster import handoff_graph
from agent_console._text import counted
from agent_console._timeline import guardrail_usage, timeline, token_summary
from agents_temporal.apps import AgentInfo
from agents_temporal.client import UsageTotals

NOON = datetime(2025, 1, 2, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("count", "noun", "plural", "expected"),
    [
        (0, "tool", None, "0 tools"),
        (1, "tool", None, "1 tool"),
        (2, "tool", None, "2 tools"),
        (1, "entry", "entries", "1 entry"),
        (3, "entry", "entries", "3 entries"),
        (1234, "token", None, "1,234 tokens"),
    ],
)
def test_counted_puts_the_noun_in_the_right_number(
    count: int, noun: str, plural: str | None, expected: str
) -> None:
    assert counted(count, noun, plural) == expected


def test_an_agent_with_one_tool_says_one_tool() -> None:
    dot = handoff_graph([AgentInfo("Refunds", tools=("issue_refund",))])
    assert '"Refunds" [label="Refunds\\n1 tool"]' in dot


def test_a_call_retried_once_says_two_attempts_and_never_1_attempts() -> None:
    call = ModelCall(NOON, "Triage", "gpt-4.1", attempts=2, closed_at=NOON, outcome="completed")
    [row] = timeline([], [call], roster=["Triage"], default_model="gpt-4.1")
    assert "retried: 2 attempts" in row.detail


def test_header_tokens_include_guardrail_calls_and_name_their_share() -> None:
    calls = [
        ModelCall(NOON, "Triage", usage=UsageTotals(total_tokens=100)),
        # A guardrail's classifier: not one of the app's agents, so not in the workflow's usage.
        ModelCall(NOON, "Relevance classifier", usage=UsageTotals(total_tokens=40)),
        ModelCall(NOON, "Jailbreak classifier", usage=UsageTotals(total_tokens=2)),
        ModelCall(NOON, "Jailbreak classifier", usage=None),
    ]
    guardrails = guardrail_usage(calls, ["Triage", "Refunds"])
    assert guardrails.total_tokens == 42
    agents = UsageTotals(total_tokens=1_000)
    assert token_summary(agents, guardrails) == "1,042 tokens (42 in guardrail checks)"


def test_header_tokens_without_guardrail_calls_say_just_the_count() -> None:
    assert token_summary(UsageTotals(total_tokens=1), UsageTotals()) == "1 token"
