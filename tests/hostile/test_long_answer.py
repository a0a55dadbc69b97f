"""H1: a very long answer through an output guardrail leaves the worker healthy.

Output guardrails run in workflow code. The example's PII guardrail once searched with an
email regex that was quadratic in a run of letters, so a model asked to echo a long string held
the worker's interpreter lock for 15 s at 100,000 characters: that conversation's task failed
as a deadlock on every attempt and every other conversation on the worker waited 12-60 s for
its replies. The worker's side of that holds for any app's guardrail, so it is tested here with
the test's own (`tests.hostile.guarded`); the example's guardrail has its own linear-time tests
(``packages/support-guardrails/tests/test_support_guardrails_hostile.py``).
"""

from __future__ import annotations

import asyncio

from temporalio.client import Client

from tests.hostile.guarded import GuardedConversation
from tests.hostile.support import HISTORIES, USUAL_REPLY_SECONDS, desk, healthy


async def test_a_hundred_thousand_character_answer_leaves_the_worker_healthy(
    temporal_client: Client, task_queue: str
) -> None:
    async with desk(temporal_client, task_queue) as env:
        chatter = await healthy(env)
        guarded = await env.start(workflow=GuardedConversation.run)
        async with chatter.talking(), asyncio.timeout(90):
            long = await guarded.send("echo 100000")
            leaking = await guarded.send("echo 100000 then write to liam@example.com")
            too_long = await guarded.send("echo 250000")
        after = await guarded.send("thanks")
        stuck = env.stuck()

    assert long.status == "completed"
    assert long.reply == "x" * 100_000
    assert (leaking.status, leaking.error) == ("failed", "The 'pii' guardrail stopped this turn.")
    assert (too_long.status, too_long.error) == ("failed", "The 'pii' guardrail stopped this turn.")
    assert after.status == "completed"
    assert stuck is None
    assert chatter.failures == []
    assert max(chatter.replies) < USUAL_REPLY_SECONDS, sorted(chatter.replies)[-5:]


async def test_guarded_turns_pass_or_stop_at_the_guardrail(
    temporal_client: Client, task_queue: str
) -> None:
    async with desk(temporal_client, task_queue) as env:
        guarded = await env.start(workflow=GuardedConversation.run)
        clean = await guarded.send("echo 20")
        leaking = await guarded.send("echo 20 then write to liam@example.com")
        transcript = await guarded.transcript()
        await HISTORIES.save(guarded.handle, "hostile_guarded")

    assert (clean.status, clean.reply) == ("completed", "x" * 20)
    assert leaking.status == "failed"
    assert [e.kind for e in transcript] == [
        "user_message",
        "agent_message",
        "user_message",
        "turn_failed",
    ]
