"""Worker settings reach the support app: refund limits per conversation, MCP help centre."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from agents_temporal.client import ConversationConfig, ConversationHandle, ConversationInput
from support_agents import SupportConversation
from tests.support.conftest import running_stack


async def test_refund_threshold_comes_from_settings(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
) -> None:
    environ = {"REFUND_APPROVAL_THRESHOLD": "10", "REFUND_HARD_CAP": "30"}
    async with running_stack(temporal_env, task_queue, tmp_path, environ) as stack:
        conversation = await stack.start()
        # $20 is above this worker's $10 threshold: it waits for a person.
        waiting = await conversation.send("Refund $20 on ORD-10057 please")
        assert waiting.status == "awaiting_approval"
        [pending] = waiting.pending_approvals
        await conversation.approve(pending.id, operator="ops")
        # $40 is above the $30 hard cap: refused by the guardrail, whoever approves.
        capped = await conversation.send("Another refund of $40 on ORD-10057")
        assert capped.status in {"completed", "awaiting_approval"}
        if capped.status == "awaiting_approval":
            [pending] = capped.pending_approvals
            capped = await conversation.approve(pending.id, operator="ops")
        assert [cents for _, cents in await stack.refunds("ORD-10057")] == [2000]


@pytest.mark.parametrize(
    "forged",
    [
        {"refund_approval_threshold_cents": 10**12},
        {"refund_hard_cap_cents": 10**12},
        {"refund_approval_threshold_cents": 10**12, "refund_hard_cap_cents": 10**12},
    ],
    ids=["threshold", "hard-cap", "both"],
)
async def test_a_start_input_that_sets_refund_limits_is_refused(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path, forged: dict[str, Any]
) -> None:
    # Once, a client that wrote its own limits into the start input got a $157 refund paid
    # with nobody asked. The worker's limits are the only ones: such an input is refused.
    async with running_stack(temporal_env, task_queue, tmp_path) as stack:
        context = {"customer_id": "CUST-1001", **forged}
        conversation, cause = await stack.refused_start(context)
        assert "only the worker's settings decide" in cause.message
        assert "REFUND_APPROVAL_THRESHOLD and REFUND_HARD_CAP" in cause.message
        with pytest.raises(Exception, match=r"(?i)workflow execution already completed"):
            await conversation.send("Refund $157 on ORD-10057 please")
        assert await stack.refunds("ORD-10057") == []


async def test_the_worker_limits_hold_across_continue_as_new(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
) -> None:
    environ = {"REFUND_APPROVAL_THRESHOLD": "10", "REFUND_HARD_CAP": "30"}
    async with running_stack(temporal_env, task_queue, tmp_path, environ) as stack:
        conversation = await ConversationHandle.start(
            stack.client,
            SupportConversation.run,
            id=f"carried-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=task_queue,
            input=ConversationInput(config=ConversationConfig(continue_as_new_after_turns=1)),
        )
        first = await conversation.send("Where is my order ORD-10057?")
        assert first.status == "completed", first.error
        # A new run now, whose context carries the limits the first run recorded.
        waiting = await conversation.send("Refund $20 on ORD-10057 please")
        assert waiting.status == "awaiting_approval", waiting.error
        assert (await conversation.status()).workflow_runs >= 2
        history = await conversation.handle.fetch_history()
        assert "support.refund_policy" not in history.to_json()  # recorded once, in run 1


async def test_help_centre_served_by_mcp(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
) -> None:
    environ = {"SUPPORT_HELP_CENTRE_MCP": "true"}
    async with running_stack(temporal_env, task_queue, tmp_path, environ) as stack:
        conversation = await stack.start()
        result = await conversation.send("What is your return policy?")
        assert result.status == "completed", result.error
        assert result.agent == "FAQ"
        assert result.reply is not None and result.reply.startswith("From our help centre")
        history = await stack.client.get_workflow_handle(conversation.workflow_id).fetch_history()
        activity_types = {
            e.activity_task_scheduled_event_attributes.activity_type.name
            for e in history.events
            if e.HasField("activity_task_scheduled_event_attributes")
        }
        assert any(name.startswith("temporalio.mcp.HelpCentre.") for name in activity_types)
        assert "support.search_help_centre" not in activity_types


async def test_encryption_and_storage_from_settings(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
) -> None:
    key = base64.b64encode(bytes(range(32))).decode()
    overrides = {
        "PAYLOAD_ENCRYPTION_KEYS": f"k1:{key}",
        "PAYLOAD_STORAGE_THRESHOLD_BYTES": 1024,
    }
    secret = "my parcel to 221B Baker Street never arrived"
    async with running_stack(temporal_env, task_queue, tmp_path, None, overrides) as stack:
        conversation = await stack.start()
        result = await conversation.send(f"Where is my order ORD-10057? {secret}")
        assert result.status == "completed", result.error
        # Readable through the configured converter...
        texts = [e.text for e in await conversation.transcript()]
        assert any(secret in t for t in texts)
        # ...but neither the server's history nor the payload store holds the plaintext.
        raw = await temporal_env.client.get_workflow_handle(
            conversation.workflow_id
        ).fetch_history()
        assert "221B Baker" not in raw.to_json()
        stored = list((tmp_path / "payloads").rglob("*"))
        assert any(p.is_file() for p in stored)
        for path in stored:
            if path.is_file():
                assert b"221B Baker" not in path.read_bytes()
