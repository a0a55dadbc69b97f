"""Deploying a changed agent while conversations run: Worker Versioning, build A to build B.

Two `worker` processes serve the neutral desk under one Worker Deployment. Build A is the desk
(``stack_testapp``); build B (``tests.reliability.desk_next``) changes every agent's
instructions, gives the Clerk a new tool and Triage a new handoff. Conversations start on A:
some wait for an operator's approval, some are mid-turn (their model call held open by the
test's OpenAI-compatible server). B is deployed beside A and made current, the held calls
finish, A is stopped; then the approvals are decided, further turns run and a new
conversation starts. As DESIGN.md ("Deploys") says, conversations auto-upgrade: every workflow
task after B became current runs on B, B replays what A recorded without a non-determinism
error, and every model call after the deploy carries B's agent.
"""

from __future__ import annotations

import asyncio
import re
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from temporalio.client import Client, WorkflowHistory
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.testing import WorkflowEnvironment

from agents_temporal.client import ConversationHandle, TurnResult
from agents_temporal.testing import OpenAICompatibleServer, RecordedRequest, Reply
from stack_testapp import REFERENCE as BUILD_A_APP
from stack_testapp import DeskConversation
from tests.deployment_versions import (
    TaskVersion,
    current_build,
    failed_workflow_tasks,
    make_current,
    task_versions,
)
from tests.reliability.desk_driver import (
    OPERATOR,
    DeskWorkerProcess,
    desk_client,
    desk_env,
    desk_responder,
)
from tests.reliability.desk_next import REFERENCE as BUILD_B_APP
from tests.reliability.desk_next_agents import ARCHIVIST, BUILD_B

WAITING = 3
"""Conversations waiting for an approval when B is deployed."""
MID_TURN = 3
"""Conversations whose model call is in flight on A when B is deployed."""
DEADLINE_SECONDS = 120.0
_TICKET = re.compile(r"\bT-\d+\b")


class HeldModelCalls:
    """The desk's model answers, except that calls about chosen tickets wait until released.

    A held call is a model activity in flight on the worker that made it: a turn caught
    mid-way by the deploy. The server answers each request in a thread of its own.
    """

    def __init__(self, responder: Callable[[RecordedRequest], Reply], held: set[str]) -> None:
        self._responder = responder
        self._held = held
        self._released = threading.Event()
        self._arrived = threading.Condition()
        self.waiting: set[str] = set()

    def __call__(self, request: RecordedRequest) -> Reply:
        tickets = set(_TICKET.findall(request.last_user_text or ""))
        if tickets & self._held and not self._released.is_set():
            with self._arrived:
                self.waiting |= tickets & self._held
                self._arrived.notify_all()
            # Bounded, so a test that fails before releasing never leaves a thread behind.
            self._released.wait(timeout=DEADLINE_SECONDS)
        return self._responder(request)

    def wait_until_all_held(self) -> None:
        """Block until a call about every chosen ticket is being held."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: self.waiting == self._held, DEADLINE_SECONDS):
                raise TimeoutError(f"model calls held only for {sorted(self.waiting)}")

    def release(self) -> None:
        self._released.set()


class DeployedWorker(DeskWorkerProcess):
    """A `worker` process of one build, stopped the way a rollout stops it: SIGTERM."""

    async def stop(self) -> int:
        """Stop it gracefully and return its exit code."""
        process = self._process
        assert process is not None, "the worker is not running"
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(90):
            code = await process.wait()
        if self._drain is not None:
            await self._drain
        self._process = self._drain = None
        return code


def build_env(
    base: dict[str, str], subprocess_env: dict[str, str], app: str, version: WorkerDeploymentVersion
) -> dict[str, str]:
    return {
        **base,
        # Build B's app is a test module: the worker finds it on the tests' path.
        "PYTHONPATH": subprocess_env["PYTHONPATH"],
        "AGENT_APP_OBJECTS": app,
        "WORKER_DEPLOYMENT_NAME": version.deployment_name,
        "WORKER_BUILD_ID": version.build_id,
    }


def reply_of(result: TurnResult) -> str | None:
    assert result.status == "completed", result
    return result.reply


def open_text(ticket: str) -> str:
    return f"Ticket {ticket} is open: the printer on floor 2 is jammed."


def closed_text(ticket: str) -> str:
    return f"Ticket {ticket} is closed: Asked to close."


async def close_with_approval(conversation: ConversationHandle, ticket: str, turn: int) -> str:
    result = await conversation.send(f"Close {ticket}", turn=turn)
    assert result.status == "awaiting_approval", result
    decided = await conversation.approve(result.pending_approvals[0].id, operator=OPERATOR)
    assert decided.status == "completed", decided
    assert decided.reply is not None
    return decided.reply


def builds_problems(workflow_id: str, tasks: list[TaskVersion], first: str) -> list[str]:
    """How a conversation's workflow tasks differ from: ``first`` build, then only B, upgraded."""
    builds = [task.build_id for task in tasks]
    problems: list[str] = []
    if not builds or builds[0] != first or builds[-1] != "b":
        problems.append(f"{workflow_id}: builds {builds}")
    if "a" in builds[builds.index("b") if "b" in builds else len(builds) :]:
        problems.append(f"{workflow_id}: back on A after B, builds {builds}")
    if {task.behavior for task in tasks} != {VersioningBehavior.AUTO_UPGRADE}:
        problems.append(f"{workflow_id}: behaviours {[task.behavior for task in tasks]}")
    return problems


def model_calls_about(requests: list[RecordedRequest], ticket: str) -> list[RecordedRequest]:
    return [r for r in requests if ticket in _TICKET.findall(r.last_user_text or "")]


def offered_tools(request: RecordedRequest) -> set[str]:
    tools = cast(list[dict[str, Any]], (request.body_json or {}).get("tools") or [])
    return {str(tool.get("name")) for tool in tools}


async def history(client: Client, workflow_id: str) -> WorkflowHistory:
    return await client.get_workflow_handle(workflow_id).fetch_history()


@pytest.mark.slow
@pytest.mark.timeout(DEADLINE_SECONDS + 180, method="thread")
async def test_conversations_started_on_build_a_continue_on_build_b_after_a_deploy(
    temporal_env: WorkflowEnvironment,
    task_queue: str,
    tmp_path: Path,
    subprocess_env: dict[str, str],
) -> None:
    address = temporal_env.client.service_client.config.target_host
    build_a = WorkerDeploymentVersion(f"desk-{task_queue}", "a")
    build_b = WorkerDeploymentVersion(f"desk-{task_queue}", "b")
    waiting = {f"{task_queue}-waiting-{n}": f"T-1{n}" for n in range(WAITING)}
    mid_turn = {f"{task_queue}-mid-turn-{n}": f"T-2{n}" for n in range(MID_TURN)}
    late_id, late_ticket = f"{task_queue}-after-deploy", "T-30"
    held = HeldModelCalls(desk_responder, set(mid_turn.values()))

    with OpenAICompatibleServer(responder=held) as server:
        base = {
            **desk_env(address, task_queue, tmp_path),
            # The real OpenAI client path, against the test's server, so calls can be held.
            "OPENAI_API_KEY": "sk-test-local",
            "OPENAI_BASE_URL": server.base_url,
        }
        worker_a = DeployedWorker(
            build_env(base, subprocess_env, BUILD_A_APP, build_a), tmp_path / "a.log"
        )
        worker_b = DeployedWorker(
            build_env(base, subprocess_env, BUILD_B_APP, build_b), tmp_path / "b.log"
        )
        client = await desk_client(address)
        try:
            await worker_a.start()
            await make_current(client, build_a)
            conversations: dict[str, ConversationHandle] = {}
            for workflow_id, ticket in waiting.items():
                conversation = await ConversationHandle.start(
                    client, DeskConversation.run, id=workflow_id, task_queue=task_queue
                )
                conversations[workflow_id] = conversation
                first = await conversation.send(f"What is the status of {ticket}?", turn=1)
                assert reply_of(first) == open_text(ticket)
                pending = await conversation.send(f"Close {ticket}", turn=2)
                assert pending.status == "awaiting_approval", pending
            turns_in_flight: dict[str, asyncio.Task[TurnResult]] = {}
            for workflow_id, ticket in mid_turn.items():
                conversation = await ConversationHandle.start(
                    client, DeskConversation.run, id=workflow_id, task_queue=task_queue
                )
                conversations[workflow_id] = conversation
                turns_in_flight[workflow_id] = asyncio.create_task(
                    conversation.send(f"What is the status of {ticket}?", turn=1)
                )
            await asyncio.to_thread(held.wait_until_all_held)

            # The deploy: B beside A, B made current, A's calls finish, A stopped.
            await worker_b.start()
            await make_current(client, build_b)
            assert await current_build(client, build_b.deployment_name) == "b"
            held.release()
            async with asyncio.timeout(DEADLINE_SECONDS):
                for workflow_id, turn in turns_in_flight.items():
                    assert reply_of(await turn) == open_text(mid_turn[workflow_id])
            assert await worker_a.stop() == 0

            async with asyncio.timeout(DEADLINE_SECONDS):
                for workflow_id, ticket in waiting.items():
                    pending = await conversations[workflow_id].pending_approvals()
                    decided = await conversations[workflow_id].approve(
                        pending[0].id, operator=OPERATOR
                    )
                    assert reply_of(decided) == closed_text(ticket)
                for workflow_id, ticket in mid_turn.items():
                    reply = await close_with_approval(conversations[workflow_id], ticket, 2)
                    assert reply == closed_text(ticket)
                late = await ConversationHandle.start(
                    client, DeskConversation.run, id=late_id, task_queue=task_queue
                )
                first = await late.send(f"What is the status of {late_ticket}?", turn=1)
                assert reply_of(first) == open_text(late_ticket)
                assert await close_with_approval(late, late_ticket, 2) == closed_text(late_ticket)
        finally:
            held.release()
            await worker_a.kill()
            await worker_b.kill()
        requests = server.requests

    problems: list[str] = []
    for workflow_id, first_build in [
        *((w, "a") for w in [*waiting, *mid_turn]),
        (late_id, "b"),
    ]:
        recorded = await history(client, workflow_id)
        problems += [f"{workflow_id}: {failure}" for failure in failed_workflow_tasks(recorded)]
        problems += builds_problems(workflow_id, task_versions(recorded), first_build)
    assert not problems, "; ".join(problems)

    # What the model was sent says which agent ran: A's before the deploy, B's after it.
    for ticket in [*waiting.values(), *mid_turn.values(), late_ticket]:
        calls = model_calls_about(requests, ticket)
        last = calls[-1]
        assert BUILD_B in (last.body_json or {}).get("instructions", ""), (ticket, last.body_json)
        assert "ticket_priority" in offered_tools(last), ticket
    for ticket in [*waiting.values(), *mid_turn.values()]:
        first_call = model_calls_about(requests, ticket)[0]
        assert BUILD_B not in (first_call.body_json or {}).get("instructions", ""), ticket
    # Triage on B offers the new handoff.
    late_first = model_calls_about(requests, late_ticket)[0]
    assert f"transfer_to_{ARCHIVIST.lower()}" in offered_tools(late_first)
