"""The console page, driven with Streamlit's AppTest against a real Temporal and worker.

The conversations are with the neutral test desk (``stack_testapp``): triage hands tickets to
the Clerk, whose ``close_ticket`` waits for an operator.
"""

from __future__ import annotations

import json
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
from streamlit.testing.v1 import AppTest

import agents_temporal._apps as apps_module
from agent_console._ui_common import agent_apps
from agent_console.service import Console
from agents_temporal.client import ConversationHandle, TranscriptEntry
from stack_testapp import app

from .conftest import APP_SCRIPT, OPERATOR, ConsoleStack

CLOSE = "Please close T-42"


def page(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=60)
    at.query_params.update(query)
    return at


def rerun_until(at: AppTest, condition: Callable[[AppTest], bool], seconds: float = 60) -> None:
    """Run the page again until ``condition`` holds: the conversation moved on."""
    deadline = time.monotonic() + seconds
    while not condition(at):
        assert time.monotonic() < deadline, f"the page never showed it:\n{texts(at)}"
        at.run()


def with_card(at: AppTest, workflow_id: str, approval_id: str) -> str:
    """Run the inbox page until it shows the approval (as its live refresh would); its key."""
    key = f"inbox:{workflow_id}:{approval_id}"
    rerun_until(at, lambda at: any(b.key == f"approve:{key}" for b in at.button))
    return key


def texts(at: AppTest) -> str:
    parts: list[Any] = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [s.value for s in at.success] + [i.value for i in at.info]
    parts += [e.label for e in at.expander]
    # Untrusted text is escaped Markdown (`plain`): compare what a person reads.
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))


def table(at: AppTest, column: str) -> list[dict[str, Any]]:
    for frame in at.dataframe:
        records = cast(list[dict[str, Any]], frame.value.to_dict("records"))
        if records and column in records[0]:
            return records
    raise AssertionError(f"no table with a {column!r} column")


@pytest.fixture(scope="module")
def backend(console_stack: ConsoleStack) -> Iterator[Console]:
    """The console's own service, for setting conversations up and checking what was recorded."""
    console = Console(console_stack.settings(), [app])
    try:
        yield console
    finally:
        console.close()


def awaiting_close(backend: Console) -> str:
    workflow_id = backend.run(backend.service.start(backend.apps[0]))
    backend.run(backend.service.send(workflow_id, CLOSE, turn=1, sender="customer"))
    deadline = time.monotonic() + 60
    while not pending(backend, workflow_id):
        assert time.monotonic() < deadline
    return workflow_id


def pending(backend: Console, workflow_id: str) -> list[str]:
    async def read() -> list[str]:
        handle = ConversationHandle(await backend.service.client(), workflow_id)
        return [a.id for a in await handle.pending_approvals()]

    return backend.run(read())


def pending_arguments(backend: Console, workflow_id: str) -> str:
    async def read() -> str:
        handle = ConversationHandle(await backend.service.client(), workflow_id)
        return (await handle.pending_approvals())[0].arguments

    return backend.run(read())


def transcript(backend: Console, workflow_id: str) -> list[TranscriptEntry]:
    async def read() -> list[TranscriptEntry]:
        return await ConversationHandle(await backend.service.client(), workflow_id).transcript()

    return backend.run(read())


async def _static_summary(backend: Console, workflow_id: str) -> str | None:
    client = await backend.service.client()
    return await (await client.get_workflow_handle(workflow_id).describe()).static_summary()


def test_chat_with_inline_approval_then_roster_timeline_usage_and_link(
    console_env: ConsoleStack, backend: Console
) -> None:
    at = page().run()
    assert not at.exception
    # Which model answers is the worker's to say, not the console's settings: nothing yet.
    assert "Offline demo model in use" not in texts(at)
    at.button(key="new_conversation").click().run()
    workflow_id = at.query_params["conversation"]
    assert workflow_id.startswith("desk-")
    at.chat_input(key=f"chat_input:{workflow_id}").set_value(CLOSE).run()
    rerun_until(at, lambda at: "wants to call `close_ticket`" in texts(at))
    assert "Triage handed the conversation to Clerk" in texts(at)
    [graph] = at.get("graphviz_chart")
    assert '"Clerk" [label="Clerk\\n2 tools", fillcolor="#ff4b4b"' in graph.proto.spec
    keys = [b.key or "" for b in at.button]
    [approval_id] = [k.rsplit(":", 1)[-1] for k in keys if k.startswith("approve:chat:")]

    at.button(key=f"approve:chat:{workflow_id}:{approval_id}").click().run()
    rerun_until(at, lambda at: "Ticket T-42 is closed" in texts(at))
    assert f"Approved close_ticket ({approval_id}) as {OPERATOR}." in texts(at)
    assert "Clerk called `close_ticket`" in texts(at)
    assert "Offline demo model in use: the worker answered this conversation" in texts(at)
    # The conversation streams: its guardrail verdicts show inline, with their reasoning.
    passed = [line for line in texts(at).splitlines() if line.startswith("Guardrails passed: ")]
    assert passed and all(line == "Guardrails passed: no_passwords" for line in passed)
    assert "**no_passwords** passed: no password in the message" in texts(at)
    steps = table(at, "Event")
    [decided] = [s for s in steps if s["Event"] == "approval decided"]
    assert decided["Decided by"] == OPERATOR
    calls = [s for s in steps if s["Event"] == "model call"]
    assert calls and all(s["Latency"] and s["Tokens (in/out)"] for s in calls)
    usage = table(at, "Cost")
    assert {row["Agent"] for row in usage} >= {"Triage", "Clerk"}
    assert all(row["Model"] == "offline-demo" and row["Cost"] == "$0.00" for row in usage)
    assert [m.value for m in at.metric if m.label == "Cost"] == ["$0.00"]
    # The Temporal Web UI lists the conversation with a summary.
    summary = backend.run(_static_summary(backend, workflow_id))
    assert summary == "Test desk conversation, started in the operator console"
    links = {link.proto.label: link.proto.url for link in at.get("link_button")}
    assert links["Open in Temporal Web UI"] == (
        f"http://ui.example:8233/namespaces/default/workflows/{workflow_id}"
    )


def test_inbox_rejects_only_with_a_reason_and_records_who(
    console_env: ConsoleStack, backend: Console
) -> None:
    workflow_id = awaiting_close(backend)
    [approval_id] = pending(backend, workflow_id)
    at = page(view="inbox").run()
    assert "Approvals inbox" in at.subheader[0].value
    key = with_card(at, workflow_id, approval_id)
    at.button(key=f"reject:{key}").click().run()
    assert "Give a reason to reject" in texts(at)
    assert pending(backend, workflow_id) == [approval_id]

    at.text_input(key=f"reason:{key}").input("not ours to close").run()
    at.button(key=f"reject:{key}").click().run()
    assert f"Rejected close_ticket ({approval_id}) as {OPERATOR}" in texts(at)
    [decision] = [e.decision for e in transcript(backend, workflow_id) if e.decision]
    assert decision is not None and not decision.approved
    assert (decision.operator, decision.reason) == (OPERATOR, "not ours to close")


def test_inbox_approves_with_edited_arguments(console_env: ConsoleStack, backend: Console) -> None:
    workflow_id = awaiting_close(backend)
    [approval_id] = pending(backend, workflow_id)
    at = page(view="inbox").run()
    key = with_card(at, workflow_id, approval_id)
    editor = at.text_area(key=f"edit:{key}")
    # The editor starts from the model's arguments with every property of the tool's schema,
    # so changing only the resolution is enough (the model left the optional notify out).
    filled = json.loads(editor.value or "")
    assert filled["request"]["notify"] is None
    assert "notify" not in json.loads(pending_arguments(backend, workflow_id))["request"]

    editor.input("{not json").run()
    at.button(key=f"approve_edited:{key}").click().run()
    assert "The edited arguments are not valid JSON" in texts(at)
    # What the operator typed stays in the editor.
    assert at.text_area(key=f"edit:{key}").value == "{not json"

    # The console checks the tool's schema before sending: a number is not a resolution.
    filled["request"]["resolution"] = 42
    at.text_area(key=f"edit:{key}").input(json.dumps(filled)).run()
    at.button(key=f"approve_edited:{key}").click().run()
    assert "would refuse these arguments: request/resolution: 42 is not of type" in texts(at)
    assert pending(backend, workflow_id) == [approval_id]

    filled["request"]["resolution"] = "Fixed the paper tray."
    at.text_area(key=f"edit:{key}").input(json.dumps(filled)).run()
    at.button(key=f"approve_edited:{key}").click().run()
    assert f"Approved close_ticket ({approval_id}) with edited arguments as {OPERATOR}." in texts(
        at
    )
    [decision] = [e.decision for e in transcript(backend, workflow_id) if e.decision]
    assert decision is not None and decision.approved and decision.operator == OPERATOR
    assert decision.edited_arguments == filled


def test_deciding_an_approval_decided_elsewhere_says_who_and_when(
    console_env: ConsoleStack, backend: Console
) -> None:
    workflow_id = awaiting_close(backend)
    [approval_id] = pending(backend, workflow_id)
    at = page(view="inbox").run()
    key = with_card(at, workflow_id, approval_id)
    backend.run(backend.service.reject(workflow_id, approval_id, operator="rival", reason="no"))
    # The page still shows the card (it has not refreshed yet) when the operator approves.
    at.button(key=f"approve:{key}").click().run()
    assert (
        f"The conversation refused the decision: Approval '{approval_id}' (close_ticket) was "
        "already rejected by 'rival' at "
    ) in texts(at)
    assert "Approved close_ticket" not in texts(at)


def test_starter_prompt_then_a_refused_message_shows_the_reason(
    console_env: ConsoleStack,
) -> None:
    at = page().run()
    at.button(key="starter:1").click().run()
    workflow_id = at.query_params["conversation"]
    rerun_until(at, lambda at: "the printer on floor 2 is jammed" in texts(at))
    rerun_until(at, lambda at: not at.chat_input(key=f"chat_input:{workflow_id}").disabled)
    at.chat_input(key=f"chat_input:{workflow_id}").set_value("x" * 9000).run()
    assert "The conversation refused the message: The message has 9,000 characters" in texts(at)
    # The refused text is back in the box, to shorten rather than type again.
    assert at.chat_input(key=f"chat_input:{workflow_id}").proto.value == "x" * 9000


def test_conversation_resumes_from_the_url(console_env: ConsoleStack, backend: Console) -> None:
    workflow_id = awaiting_close(backend)
    at = page(conversation=workflow_id).run()
    assert CLOSE in texts(at)
    assert "wants to call `close_ticket`" in texts(at)
    typed = page().run()
    typed.text_input(key="open_by_id").input(workflow_id).run()
    assert typed.query_params["conversation"] == workflow_id
    assert "wants to call `close_ticket`" in texts(typed)
    unknown = page(conversation="desk-no-such-conversation").run()
    assert "Cannot read conversation 'desk-no-such-conversation'" in texts(unknown)


def test_banner_when_no_worker_polls(
    console_env: ConsoleStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEMPORAL_TASK_QUEUE", f"idle-{uuid.uuid4().hex[:8]}")  # noqa: TID251
    at = page().run()
    [warning] = at.warning
    assert "no worker polls task queue" in warning.value


def test_banner_when_temporal_is_unreachable(
    console_env: ConsoleStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("TEMPORAL_ADDRESS", f"127.0.0.1:{port}")
    at = page().run()
    [error] = at.error
    assert f"Temporal is not reachable at '127.0.0.1:{port}'" in error.value
    assert not at.chat_input


def test_access_token_login_names_the_operator(
    console_env: ConsoleStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", "s3cret-0123456789")
    at = page().run()
    assert not at.sidebar.button
    at.text_input[0].input("Ada")
    at.text_input[1].input("wrong")
    at.button[0].click().run()
    assert "That access token is not right." in texts(at)
    at.text_input[1].input("s3cret-0123456789")
    at.button[0].click().run()
    assert "Operator: **Ada** (signed in with the access token)" in texts(at)


def test_oidc_login_names_the_operator_or_refuses_decisions(
    console_env: ConsoleStack, backend: Console
) -> None:
    workflow_id = awaiting_close(backend)
    [approval_id] = pending(backend, workflow_id)
    at = page(view="inbox")
    at.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback"}
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Sign in"]

    at.user = {"is_logged_in": True, "email": "oidc@example.com", "name": "O. Idc"}
    at.run()
    assert "Operator: **oidc@example.com** (signed in)" in texts(at)

    at.user = {"is_logged_in": True}
    at.run()
    with_card(at, workflow_id, approval_id)
    assert "Your login carries no email or name" in texts(at)
    assert at.button(key=f"approve:inbox:{workflow_id}:{approval_id}").disabled


def test_without_an_agent_app_the_page_says_how_to_add_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AGENT_APP_OBJECTS", raising=False)

    def no_entry_points(*, group: str) -> list[object]:
        return []

    monkeypatch.setattr(apps_module, "entry_points", no_entry_points)
    # Apps are found once per process; forget them for this page, and again for the next test.
    agent_apps.clear()
    try:
        at = page()
        at.run()
    finally:
        agent_apps.clear()
    assert not at.exception
    [error] = at.error
    assert error.value.startswith(
        "No agent app is installed, so the console has no conversations to show: add an agent app"
    )
    assert "durable_agents.apps" in error.value and 'AGENT_APPS="<package>"' in error.value


def test_the_inbox_pages_through_every_waiting_approval(
    console_env: ConsoleStack, backend: Console
) -> None:
    # More than one page and more than the 25 the inbox once stopped at (issue 22, item 6).
    async def start_many(count: int) -> list[str]:
        ids = [await backend.service.start(backend.apps[0]) for _ in range(count)]
        for workflow_id in ids:
            await backend.service.send(workflow_id, CLOSE, turn=1, sender="customer")
        return ids

    waiting = set(backend.run(start_many(26)))
    deadline = time.monotonic() + 120
    while not all(pending(backend, workflow_id) for workflow_id in waiting):
        assert time.monotonic() < deadline, "the conversations never asked for approval"

    def shown(at: AppTest) -> set[str]:
        keys = [b.key for b in at.button if b.key and b.key.startswith("approve:inbox:")]
        return {key.split(":")[2] for key in keys}

    at = page(view="inbox").run()
    rerun_until(at, lambda at: bool(waiting & shown(at)))
    count = re.search(r"Approvals inbox \((\d+)\)", at.subheader[0].value)
    assert count is not None and int(count.group(1)) >= len(waiting)
    seen = shown(at)
    assert len(seen) <= 20, "one page holds at most 20 approvals"
    pages = 1
    while not at.button(key="inbox_forward").disabled:
        at.button(key="inbox_forward").click().run()
        seen |= shown(at)
        pages += 1
        assert pages <= 20, "the inbox never reached its last page"
    assert pages >= 2
    assert waiting <= seen, f"never shown: {sorted(waiting - seen)}"
