"""Build B of the desk replays what build A recorded: the changes it makes need no patch.

The deploy scenario (``test_deploy.py``) shows it with real worker processes; this is the fast,
deterministic half: conversations recorded on build A (one closed, one waiting for an
approval, committed under ``deploy_histories/``) replay on build A and on build B, whose agents
have changed instructions, a new tool and a new handoff. A change of commands (look-ups that
need approval) fails to replay, and replays behind `workflow.patched`. Re-record with
``REGENERATE_HISTORIES=1``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.workflow import NondeterminismError

from agent_worker._run import workflow_runner
from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.client import ConversationHandle
from agents_temporal.testing import WorkflowHistories
from stack_testapp import DeskConversation, DeskModelProvider, app, close_ticket, look_up_ticket
from tests.reliability.desk_driver import OPERATOR
from tests.reliability.desk_next_workflow import (
    DeskConversationApprovingLookUps,
    DeskConversationApprovingLookUpsPatched,
    DeskConversationNext,
)

HISTORIES = WorkflowHistories(Path(__file__).parent / "deploy_histories")


async def test_record_desk_conversations_on_build_a(
    temporal_client: Client, task_queue: str
) -> None:
    config = temporal_client.config()
    config["plugins"] = [OpenAIAgentsPlugin(model_provider=DeskModelProvider())]
    client = Client(**config)
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[DeskConversation],
        activities=[look_up_ticket, close_ticket],
        workflow_runner=workflow_runner([app]),
    )
    async with worker:
        closed = await ConversationHandle.start(
            client, DeskConversation.run, id=f"{task_queue}-closed", task_queue=task_queue
        )
        waiting = await ConversationHandle.start(
            client, DeskConversation.run, id=f"{task_queue}-waiting", task_queue=task_queue
        )
        for conversation, ticket in [(closed, "T-1"), (waiting, "T-2")]:
            first = await conversation.send(f"What is the status of {ticket}?", turn=1)
            assert first.reply == f"Ticket {ticket} is open: the printer on floor 2 is jammed."
            pending = await conversation.send(f"Close {ticket}", turn=2)
            assert pending.status == "awaiting_approval", pending
        done = await closed.approve((await closed.pending_approvals())[0].id, operator=OPERATOR)
        assert done.reply == "Ticket T-1 is closed: Asked to close."
        await closed.close()
    await HISTORIES.save(closed.handle, "desk_build_a_closed")
    await HISTORIES.save(waiting.handle, "desk_build_a_awaiting_approval")


@pytest.mark.parametrize("path", HISTORIES.files("desk_build_a_"), ids=lambda p: p.stem)
@pytest.mark.parametrize(
    "build", [DeskConversation, DeskConversationNext], ids=["build_a", "build_b"]
)
async def test_build_a_histories_replay_on_both_builds(path: Path, build: type) -> None:
    await HISTORIES.replay(path, [build])


@pytest.mark.parametrize("path", HISTORIES.files("desk_build_a_"), ids=lambda p: p.stem)
async def test_a_change_of_commands_breaks_replay_without_a_patch(path: Path) -> None:
    with pytest.raises(NondeterminismError):
        await HISTORIES.replay(path, [DeskConversationApprovingLookUps])


@pytest.mark.parametrize("path", HISTORIES.files("desk_build_a_"), ids=lambda p: p.stem)
async def test_the_same_change_behind_workflow_patched_replays(path: Path) -> None:
    await HISTORIES.replay(path, [DeskConversationApprovingLookUpsPatched])


def test_both_histories_are_committed() -> None:
    assert [p.stem for p in HISTORIES.files("desk_build_a_")] == [
        "desk_build_a_awaiting_approval",
        "desk_build_a_closed",
    ]
