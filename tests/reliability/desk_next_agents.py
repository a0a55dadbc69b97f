"""Build B's agents (both sides of the activity boundary): build A's, changed as a deploy would.

Instructions keep build A's text as their start (the desk's model reads it) and add a sentence
of their own, so a model call shows which build made it.
"""

from __future__ import annotations

from datetime import timedelta

from agents import Agent
from temporalio import activity

from agents_temporal.workflow import activity_as_tool
from stack_testapp import CLERK, TRIAGE, DeskContext, close_ticket, look_up_ticket
from stack_testapp._agents import CLERK_INSTRUCTIONS, TRIAGE_INSTRUCTIONS, no_passwords
from stack_testapp._agents import build_agents as build_agents_of_a

ARCHIVIST = "Archivist"
"""Build B's new agent, a second handoff of Triage's."""

BUILD_B = "Since build B:"
"""How every sentence build B adds to an agent's instructions starts."""

_TOOL_TIMEOUT = timedelta(seconds=30)


@activity.defn(name="desk.ticket_priority")
async def ticket_priority(ticket_id: str) -> str:
    """How urgent a ticket is (build B's new tool)."""
    return f"Ticket {ticket_id} is urgent."


def build_next_agents() -> Agent[DeskContext]:
    """Triage, which hands off to the Clerk (first, as in build A) or to the Archivist."""
    clerk = Agent[DeskContext](
        name=CLERK,
        instructions=f"{CLERK_INSTRUCTIONS} {BUILD_B} rank tickets with ticket_priority.",
        tools=[
            activity_as_tool(look_up_ticket, start_to_close_timeout=_TOOL_TIMEOUT),
            activity_as_tool(
                close_ticket, start_to_close_timeout=_TOOL_TIMEOUT, needs_approval=True
            ),
            activity_as_tool(ticket_priority, start_to_close_timeout=_TOOL_TIMEOUT),
        ],
        input_guardrails=[no_passwords],
    )
    archivist = Agent[DeskContext](
        name=ARCHIVIST, instructions=f"You are the {ARCHIVIST}. {BUILD_B} find closed tickets."
    )
    return Agent[DeskContext](
        name=TRIAGE,
        instructions=f"{TRIAGE_INSTRUCTIONS} {BUILD_B} old tickets go to the {ARCHIVIST}.",
        handoffs=[clerk, archivist],
        input_guardrails=[no_passwords],
    )


LOOK_UP_APPROVAL_PATCH = "desk.approve-look-ups"
"""The patch id under which a build makes ticket look-ups wait for an operator."""


def build_agents_approving_look_ups(approve_look_ups: bool) -> Agent[DeskContext]:
    """Build A's agents, except that the Clerk's look-ups need approval when asked.

    A change of the commands a conversation emits (a recorded look-up ran at once; now it would
    wait for an operator), which a new build may make only behind `workflow.patched`.
    """
    triage = build_agents_of_a()
    clerk = triage.handoffs[0]
    assert isinstance(clerk, Agent)
    clerk.tools = [
        activity_as_tool(
            look_up_ticket, start_to_close_timeout=_TOOL_TIMEOUT, needs_approval=approve_look_ups
        ),
        activity_as_tool(close_ticket, start_to_close_timeout=_TOOL_TIMEOUT, needs_approval=True),
    ]
    return triage
