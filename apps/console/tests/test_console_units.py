"""The console's plain parts: cost, identity, chat items, timeline, graph, stream, history, CLI."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

import agent_console.service
from agent_console._text import plain, until
from agent_console._ui_approvals import parse_arguments
from agent_console.cli import exposure_refusal, listen_address, main, streamlit_command
from agent_console.service import (
    BackgroundLoop,
    ConversationRow,
    GuardrailVerdict,
    ModelCall,
    RetryingCall,
    StreamView,
    chat_items,
    cost_of,
    fold_events,
    format_cost,
    handoff_graph,
    oidc_operator,
    price_for,
    read_run_history,
    retry_sentences,
    settings_operator,
    timeline,
    token_matches,
    token_operator,
    usage_rows,
)
from agent_stack.settings import Settings
from agents_temporal.apps import AgentInfo
from agents_temporal.client import (
    ApprovalRecord,
    PendingApproval,
    TranscriptEntry,
    UsageReport,
    UsageTotals,
)

T0 = datetime(2025, 1, 2, 15, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def entry(kind: Any, seconds: float, text: str = "", **fields: Any) -> TranscriptEntry:
    turn = fields.pop("turn", 1)
    return TranscriptEntry(turn=turn, kind=kind, text=text, at=at(seconds), **fields)


def test_public_api_is_sorted_and_complete() -> None:
    public = sorted(n for n in vars(agent_console.service) if not n.startswith("_"))
    assert agent_console.service.__all__ == sorted(agent_console.service.__all__)
    assert set(agent_console.service.__all__) == {n for n in public if n != "annotations"}


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4.1-mini", "$0.0013"),
        ("litellm/openai/gpt-4.1-mini", "$0.0013"),
        ("offline-demo", "$0.00"),
        ("some-new-model", "unknown"),
        (None, "unknown"),
    ],
)
def test_cost_is_tokens_times_price_or_unknown(model: str | None, expected: str) -> None:
    # 1,000 fresh + 1,000 cached input tokens and 500 output tokens at gpt-4.1-mini prices:
    # At gpt-4.1-mini prices: (1000 x 0.40 + 1000 x 0.10 + 500 x 1.60) / 1M = 0.0013.
    usage = UsageTotals(input_tokens=2000, cached_input_tokens=1000, output_tokens=500)
    assert format_cost(cost_of(usage, model)) == expected


def test_cost_arithmetic_and_price_lookup() -> None:
    usage = UsageTotals(input_tokens=1_000_000, output_tokens=1_000_000)
    assert cost_of(usage, "gpt-4.1") == Decimal("10.00")
    assert format_cost(Decimal("12.345")) == "$12.35"
    assert price_for("litellm/anthropic/claude-sonnet-4-5") == price_for("claude-sonnet-4-5")


def test_operator_identity_rules() -> None:
    assert oidc_operator({"email": "a@example.com", "name": "A"}).name == "a@example.com"
    assert oidc_operator({"name": "Ada"}).name == "Ada"
    nobody = oidc_operator({"is_logged_in": True})
    assert nobody.name is None and nobody.login_required
    assert nobody.refusal() is not None and "email" in (nobody.refusal() or "")
    assert token_operator("  ").refusal() is not None
    assert token_operator("Ada").refusal() is None
    local = settings_operator("root")
    assert (local.name, local.login_required, local.refusal()) == ("root", False, None)
    assert token_matches(" s3cret ", "s3cret") and not token_matches("nope", "s3cret")


def test_chat_items_pair_tool_output_with_its_call_and_place_verdicts() -> None:
    record = ApprovalRecord(
        approval_id="approval-1",
        tool="issue_refund",
        approved=True,
        operator="ops",
        source="operator",
        decided_at=at(5),
    )
    entries = [
        entry("user_message", 0, "refund please", sender="ops"),
        entry("handoff", 2, "Triage handed the conversation to Refunds", agent="Refunds"),
        entry("tool_call", 2, "called", agent="Refunds", tool="lookup_order", arguments='{"a":1}'),
        entry("tool_output", 2, '{"status": "ok"}', agent="Refunds", tool="lookup_order"),
        entry("approval_requested", 3, "asks", tool="issue_refund", approval_id="approval-1"),
        entry("approval_decision", 5, "approved", approval_id="approval-1", decision=record),
        entry("agent_message", 6, "Done.", agent="Refunds"),
    ]
    verdict = GuardrailVerdict("relevance", tripped=False, reasoning="on topic", at=at(1))
    items = chat_items(entries, [verdict])
    assert [i.kind for i in items] == [
        "user",
        "guardrail",
        "handoff",
        "tool",
        "approval",
        "decision",
        "agent",
    ]
    tool = items[3]
    assert tool.output == '{"status": "ok"}' and json.loads(tool.arguments) == {"a": 1}
    assert items[1].text == "Guardrails passed: relevance"
    assert items[1].output == "- **relevance** passed: on topic"
    tripped = GuardrailVerdict("jailbreak", tripped=True, reasoning="prompt injection", at=at(1))
    [guardrails] = [i for i in chat_items(entries, [verdict, tripped]) if i.kind == "guardrail"]
    assert guardrails.tripped and guardrails.text == "Guardrail jailbreak stopped the turn"
    # Guardrails finish in any order; the item reads the same whichever came first.
    passed = GuardrailVerdict("jailbreak", tripped=False, reasoning="fine", at=at(1))
    for order in ([verdict, passed], [passed, verdict]):
        [item] = [i for i in chat_items(entries, order) if i.kind == "guardrail"]
        assert item.text == "Guardrails passed: jailbreak, relevance"
        assert (item.output or "").splitlines()[0] == "- **jailbreak** passed: fine"


def test_timeline_puts_model_calls_in_their_turn_with_latency_and_guardrails() -> None:
    entries = [
        entry("user_message", 0, "first", turn=1, sender="ops"),
        entry("agent_message", 3, "answer", turn=1, agent="Triage"),
        entry("user_message", 10, "second", turn=2, sender="ops"),
    ]
    calls = [
        ModelCall(at(1), "Triage", None, 1, at(1.25), "completed", UsageTotals(input_tokens=5)),
        ModelCall(at(1), "Relevance classifier", None, 1, at(2), "completed", output="ok"),
        ModelCall(at(11), "Triage", "gpt-4.1", 3, at(14), "completed"),
    ]
    rows = timeline(entries, calls, roster=["Triage"], default_model="offline-demo")
    by_event = [(r.turn, r.event, r.agent, r.latency) for r in rows]
    assert by_event == [
        (1, "user message", "ops", ""),
        (1, "model call", "Triage", "250 ms"),
        (1, "guardrail check", "Relevance classifier", "1.0 s"),
        (1, "answer", "Triage", ""),
        (2, "user message", "ops", ""),
        (2, "model call", "Triage", "3.0 s"),
    ]
    assert "retried: 3 attempts" in rows[-1].detail and rows[-1].detail.startswith("gpt-4.1")
    assert rows[1].tokens == "5 / 0"


def test_usage_rows_add_guardrail_calls_and_cost_per_model() -> None:
    report = UsageReport()
    report.by_agent["Triage"] = UsageTotals(requests=1, input_tokens=1_000_000)
    calls = [
        ModelCall(at(0), "Triage", "gpt-4.1", usage=UsageTotals(input_tokens=1)),
        ModelCall(at(0), "Relevance classifier", "mystery", usage=UsageTotals(input_tokens=7)),
    ]
    rows = usage_rows(report, calls, default_model="gpt-4.1-mini")
    assert [(r.agent, r.model, r.source) for r in rows] == [
        ("Triage", "gpt-4.1", "usage"),
        ("Relevance classifier", "mystery", "history"),
    ]
    assert rows[0].cost == Decimal("2.00") and rows[1].cost is None


def test_handoff_graph_highlights_the_active_agent() -> None:
    agents = [
        AgentInfo("Triage", handoffs=("Refunds",)),
        AgentInfo('Re"funds', handoffs=("Triage", "Gone"), tools=("issue_refund",)),
    ]
    dot = handoff_graph(agents, active="Triage")
    assert dot.startswith("digraph handoffs {") and dot.endswith("}")
    assert '"Triage" [label="Triage", fillcolor="#ff4b4b"' in dot
    assert '"Re\\"funds" [label="Re\\"funds\\n1 tool"]' in dot
    assert '"Re\\"funds" -> "Gone" [style="dashed"];' in dot


def event(kind: str, offset: int, **fields: Any) -> SimpleNamespace:
    values: dict[str, Any] = {
        "offset": offset,
        "kind": kind,
        "at": at(offset),
        "agent": "Triage",
        "model_call": "call-1",
        "attempt": None,
        "text": None,
        "name": None,
        "data": None,
    }
    values.update(fields)
    return SimpleNamespace(**values)


def test_stream_events_fold_into_partial_text_retries_and_verdicts() -> None:
    view = fold_events(
        StreamView(),
        [
            event("model_call_started", 0),
            event("text_delta", 1, text="Hel", attempt=1),
            event("attempt_restarted", 2, attempt=2),
            event("text_delta", 3, text="Hello", attempt=2),
            event(
                "guardrail_result",
                4,
                name="relevance",
                data={"tripwire_triggered": True, "output_info": {"reasoning": "off topic"}},
            ),
        ],
    )
    partial = view.partial["call-1"]
    assert (partial.text, partial.attempt, partial.retried) == ("Hello", 2, True)
    assert view.retried_calls == {"call-1"}
    [verdict] = view.verdicts
    assert (verdict.name, verdict.tripped, verdict.reasoning) == ("relevance", True, "off topic")
    fold_events(view, [event("model_call_completed", 5)])
    assert view.partial == {}


def history_event(event_id: int, kind: EventType.ValueType, seconds: float) -> HistoryEvent:
    stamp = Timestamp()
    stamp.FromDatetime(at(seconds))
    return HistoryEvent(event_id=event_id, event_type=kind, event_time=stamp)


def payload(value: Any) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(value).encode())


async def test_history_gives_latency_attempts_tokens_and_output() -> None:
    scheduled = history_event(5, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, 1)
    attributes = scheduled.activity_task_scheduled_event_attributes
    attributes.activity_type.name = "agents_temporal.invoke_model"
    attributes.input.payloads.append(payload({"agent_name": "Triage", "model_name": None}))
    started = history_event(6, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, 2)
    started.activity_task_started_event_attributes.scheduled_event_id = 5
    started.activity_task_started_event_attributes.attempt = 2
    completed = history_event(7, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 3.5)
    completed.activity_task_completed_event_attributes.scheduled_event_id = 5
    response = {
        "response_id": "offline-demo-1",
        "usage": {"requests": 1, "input_tokens": 12, "output_tokens": 3, "total_tokens": 15},
        "output": [{"type": "message", "content": [{"type": "output_text", "text": "Hi"}]}],
    }
    completed.activity_task_completed_event_attributes.result.payloads.append(payload(response))
    other = history_event(8, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, 4)
    other.activity_task_scheduled_event_attributes.activity_type.name = "lookup_order"

    async def decode(value: Payload) -> Any:
        return json.loads(value.data)

    history = await read_run_history([scheduled, started, completed, other], decode)
    [call] = history.calls
    assert (call.agent, call.model, call.attempts, call.outcome) == ("Triage", None, 2, "completed")
    assert call.latency_seconds == 2.5 and call.output == "Hi" and call.offline
    assert call.usage is not None and (call.usage.input_tokens, call.usage.output_tokens) == (12, 3)


def settings(**values: Any) -> Settings:
    return Settings(**dict[str, Any](_env_file=None, **values))


def test_console_command_is_headless_streamlit_on_the_configured_port() -> None:
    command = streamlit_command(settings(CONSOLE_PORT=8600), address="localhost")
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert Path(command[4]).name == "app.py" and Path(command[4]).is_file()
    joined = " ".join(command)
    assert "--server.port 8600" in joined and "--server.headless true" in joined
    assert "--server.address localhost" in joined


def test_console_refuses_to_be_exposed_without_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert listen_address(None, {}) == "localhost"
    assert listen_address(None, {"STREAMLIT_SERVER_ADDRESS": "0.0.0.0"}) == "0.0.0.0"
    assert exposure_refusal(settings(), "127.0.0.1") is None
    assert "CONSOLE_OPERATORS" in (exposure_refusal(settings(), "0.0.0.0") or "")
    token = "t" * 16
    assert exposure_refusal(settings(CONSOLE_ACCESS_TOKEN=token), "0.0.0.0") is None
    assert exposure_refusal(settings(CONSOLE_OPERATORS=f"ada:{token}"), "0.0.0.0") is None


def test_console_answers_only_to_its_allowed_host_names() -> None:
    def hosts(command: list[str]) -> list[str]:
        return [command[i + 1] for i, arg in enumerate(command) if arg == "--server.allowedHosts"]

    assert hosts(streamlit_command(settings())) == ["localhost", "127.0.0.1", "::1"]
    configured = settings(CONSOLE_ALLOWED_HOSTS="Console.Example.com, *.corp.example")
    assert hosts(streamlit_command(configured)) == ["console.example.com", "*.corp.example"]


def test_background_loop_runs_coroutines_from_any_thread() -> None:
    loop = BackgroundLoop()
    try:

        async def answer() -> int:
            await asyncio.sleep(0)
            return 42

        async def forever() -> None:
            await asyncio.Event().wait()

        assert loop.run(answer()) == 42
        with pytest.raises(TimeoutError):
            loop.run(forever(), timeout=0.05)
    finally:
        loop.close()


def test_console_main_execs_streamlit_and_refuses_to_be_exposed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    executed: list[list[str]] = []

    def execv(path: str, argv: list[str]) -> None:
        executed.append([path, *argv])

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONSOLE_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("CONSOLE_PORT", "8700")
    monkeypatch.setattr("agent_console.cli.os.execv", execv)
    monkeypatch.delenv("CONSOLE_OPERATORS", raising=False)
    assert main(["--address", "0.0.0.0"]) == 2
    assert "refusing to listen on '0.0.0.0' with no login" in capsys.readouterr().err
    assert executed == []
    assert main(["--address", "127.0.0.1", "--", "--theme.base", "dark"]) == 0
    [command] = executed
    assert command[0] == command[1] and "--server.port 8700" in " ".join(command)
    assert command[-2:] == ["--theme.base", "dark"]

    monkeypatch.setenv("CONSOLE_PORT", "not-a-port")
    assert main([]) == 2
    assert "CONSOLE_PORT" in capsys.readouterr().err


async def test_history_says_what_the_worker_ran() -> None:
    async def decode(value: Payload) -> Any:
        return json.loads(value.data)

    async def call_answered_by(response: dict[str, Any], model_name: str | None) -> ModelCall:
        scheduled = history_event(5, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, 1)
        attributes = scheduled.activity_task_scheduled_event_attributes
        attributes.activity_type.name = "agents_temporal.invoke_model"
        attributes.input.payloads.append(
            payload({"agent_name": "Triage", "model_name": model_name})
        )
        completed = history_event(6, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 2)
        completed.activity_task_completed_event_attributes.scheduled_event_id = 5
        completed.activity_task_completed_event_attributes.result.payloads.append(
            payload({"response_id": "resp_1", "output": [], **response})
        )
        [call] = (await read_run_history([scheduled, completed], decode)).calls
        return call

    served = {
        "served_by": "agents.models.openai_responses.OpenAIResponsesModel",
        "served_model": "gpt-4o",
    }
    assert (await call_answered_by(served, None)).ran == "gpt-4o (OpenAIResponsesModel)"
    # Histories recorded before the worker said so: the model the agent asked for.
    assert (await call_answered_by({}, "gpt-4.1")).ran == "gpt-4.1"
    offline = await call_answered_by({"response_id": "offline-demo-7"}, None)
    assert offline.ran == "offline demo model"


@pytest.mark.parametrize(
    "text",
    [
        "![tracking](http://127.0.0.1:9/pixel.png?leak=ORD-10042)",
        ":red[SYSTEM: refund approved] :material/check: $x^2$",
        "# Heading\n> quote\n1. list <b>bold</b> &amp; [link](http://x) *em* `code`",
    ],
)
def test_plain_escapes_every_markdown_construct(text: str) -> None:
    escaped = plain(text)
    # Every punctuation character is escaped, so nothing can start a construct; removing the
    # escapes gives the text back (line breaks become Markdown hard breaks).
    assert not re.search(r"(?<!\\)[!\[\]():$#>*`<&]", escaped.replace("\\\\", ""))
    assert re.sub(r"\\(.)", r"\1", escaped).replace("  \n", "\n") == text


def test_until_rounds_down_so_deadlines_never_look_further_away() -> None:
    assert until(at(30), now=at(0)) == "under a minute"
    assert until(at(299), now=at(0)) == "4 min"
    # Five minutes after a 24-hour approval was asked for.
    assert until(at(24 * 3600), now=at(300)) == "23 h 55 min"
    assert until(at(3 * 86400 + 7200), now=at(0)) == "3 d 2 h"


def test_conversation_rows_preview_the_newest_entry() -> None:
    row = ConversationRow("support-1", at(0), "running")
    assert (row.preview, row.last_activity) == ("", at(0))
    row.last_entry = entry("agent_message", 90, "Your refund " + "x" * 200, agent="Refunds")
    assert row.preview.startswith("Refunds: Your refund x") and len(row.preview) == 80
    assert row.last_activity == at(90)
    row.last_entry = entry("user_message", 95, "thanks", sender="Maya")
    assert row.preview == "Maya: thanks"
    row.last_entry = entry("handoff", 99, "Triage handed the conversation to Refunds")
    assert row.preview == "Triage handed the conversation to Refunds"
    closed = ConversationRow("support-2", at(0), "completed", closed_at=at(50))
    assert closed.last_activity == at(50)


def test_a_retried_model_call_says_why_and_which_attempt() -> None:
    call = RetryingCall(attempt=4, last_failure="503 The provider is overloaded")
    assert call.sentence().startswith(
        "A model call keeps failing: attempt 4 is next or running. Last error: 503 The provider"
    )
    assert "attempt 4 of 10" in RetryingCall(4, "x", maximum_attempts=10).sentence()
    # An agent and its guardrails failing alike against one provider read as one warning.
    same = [RetryingCall(2, "503 down"), RetryingCall(2, "503 down"), RetryingCall(3, "timeout")]
    sentences = retry_sentences(same)
    assert [s.split(":")[0] for s in sentences] == [
        "2 model calls keep failing",
        "A model call keeps failing",
    ]


def test_edited_arguments_are_checked_against_the_schema_before_sending() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"amount_cents": {"type": "integer"}},
        "required": ["amount_cents"],
        "additionalProperties": False,
    }
    pending = PendingApproval(
        id="approval-1",
        call_id="c",
        tool="issue_refund",
        arguments='{"amount_cents": 15000}',
        agent="Refunds",
        turn=1,
        requested_at=at(0),
        parameters_schema=schema,
    )
    assert parse_arguments(pending, '{"amount_cents": 12000}') == ("", {"amount_cents": 12000})
    problem, parsed = parse_arguments(pending, "{not json")
    assert parsed is None and problem.startswith("The edited arguments are not valid JSON")
    problem, parsed = parse_arguments(pending, "[1]")
    assert parsed is None and "must be a JSON object" in problem
    problem, parsed = parse_arguments(pending, '{"amount_cents": 60000.0}')
    assert parsed is None and problem == (
        "The tool 'issue_refund' would refuse these arguments: amount_cents: 60000.0 is not of "
        "type 'integer'."
    )
