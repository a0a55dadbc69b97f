"""Apps named by AGENT_APP_OBJECTS: the `worker` command serves the neutral test app."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from agent_stack.apps import installed_apps, select_apps
from agent_stack.settings import SettingsError, load_settings
from agent_worker.cli import main
from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.apps import AgentAppError, discover_apps, load_app
from agents_temporal.client import ConversationHandle
from stack_testapp import GREETING, REFERENCE, DeskConversation, app

WORKER = Path(sys.executable).with_name("worker")


def test_a_reference_loads_the_app_and_replaces_the_installed_ones() -> None:
    # Installed with the workspace but without an entry point: no `dev` shows the test desk.
    assert "desk" not in {installed.name for installed in discover_apps()}
    assert load_app(REFERENCE) is app
    assert select_apps(objects=[REFERENCE]) == [app]
    assert installed_apps(["desk"], objects=[REFERENCE]) == [app]
    with pytest.raises(AgentAppError, match=r"No agent app named 'support' in AGENT_APP_OBJECTS"):
        select_apps(["support"], objects=[REFERENCE])
    with pytest.raises(AgentAppError, match="Two agent apps in AGENT_APP_OBJECTS are named 'desk'"):
        select_apps(objects=[REFERENCE, "stack_testapp.__init__:app"])


@pytest.mark.parametrize(
    ("reference", "problem"),
    [
        ("stack_testapp", "is not an agent app reference: write it as module:attribute"),
        ("no_such_module_x:app", "failed to import: No module named 'no_such_module_x'"),
        ("stack_testapp:no_such_name", "failed to import"),
        ("stack_testapp:GREETING", "is a str, not an agents_temporal.apps.AgentApp"),
    ],
)
def test_a_bad_reference_says_what_is_wrong(reference: str, problem: str) -> None:
    with pytest.raises(AgentAppError, match=problem):
        load_app(reference)


def test_the_setting_wants_module_attribute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_APP_OBJECTS", "  stack_testapp:app   other.module:app ")
    assert load_settings(env_file=None).app_objects == ("stack_testapp:app", "other.module:app")
    monkeypatch.setenv("AGENT_APP_OBJECTS", "stack_testapp")
    with pytest.raises(SettingsError, match=r"AGENT_APP_OBJECTS: .*'stack_testapp' is not mod"):
        load_settings(env_file=None)
    monkeypatch.delenv("AGENT_APP_OBJECTS")
    assert load_settings(env_file=None).app_objects == ()


def test_the_worker_lists_the_referenced_apps_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGENT_APP_OBJECTS", REFERENCE)
    assert main(["--list-apps"]) == 0
    assert capsys.readouterr().out == f"desk\tTest desk: {app.description}\n"


@pytest.mark.timeout(180)
async def test_the_worker_serves_the_app_a_reference_names(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
) -> None:
    address = temporal_env.client.service_client.config.target_host
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "MODEL")}
    env.update(
        TEMPORAL_ADDRESS=address,
        TEMPORAL_TASK_QUEUE=task_queue,
        AGENT_APP_OBJECTS=REFERENCE,
        PAYLOAD_STORAGE="off",
    )
    worker = await asyncio.create_subprocess_exec(
        str(WORKER), env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE
    )
    assert worker.stdout is not None
    output: list[bytes] = []
    try:
        async with asyncio.timeout(90):
            while b"agent worker ready" not in (line := await worker.stdout.readline()):
                assert line, b"".join(output).decode()
                output.append(line)
        log = b"".join(output).decode()
        assert "apps:        desk (1 workflow)" in log
        assert "offline demo models, each app its own (desk:" in log
        client = await Client.connect(address, plugins=[OpenAIAgentsPlugin()])
        conversation = await ConversationHandle.start(
            client,
            DeskConversation.run,
            id=f"desk-{uuid.uuid4()}",  # noqa: TID251 - test ids
            task_queue=task_queue,
        )
        hello = await conversation.send("Hello", turn=1)
        assert (hello.status, hello.agent, hello.reply) == ("completed", "Triage", GREETING)
        looked_up = await conversation.send("What is the status of T-1?", turn=2)
        assert looked_up.agent == "Clerk"
        assert looked_up.reply == "Ticket T-1 is open: the printer on floor 2 is jammed."
        paused = await conversation.send("Please close T-2", turn=3)
        [approval] = paused.pending_approvals
        assert (paused.status, approval.tool) == ("awaiting_approval", "close_ticket")
        closed = await conversation.approve(approval.id, operator="ops")
        assert closed.reply == "Ticket T-2 is closed: Asked to close."
        refused = await conversation.send("What is my password for T-3?", turn=4)
        assert refused.status == "failed"
        assert refused.error == "The desk never handles passwords."
    finally:
        worker.terminate()
        await worker.wait()
