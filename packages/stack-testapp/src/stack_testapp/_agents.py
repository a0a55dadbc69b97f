"""The desk's agents and tools (both sides of the activity boundary; deterministic at import).

Triage hands a ticket question to the Clerk, who looks tickets up with an activity tool and
closes them with one that needs an operator's approval. A code guardrail refuses messages that
ask for a password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from agents import (
    Agent,
    GuardrailFunctionOutput,
    RunContextWrapper,
    TResponseInputItem,
    input_guardrail,
)
from pydantic import BaseModel
from temporalio import activity

from agents_temporal.workflow import activity_as_tool

TRIAGE = "Triage"
"""The agent every conversation starts with."""

CLERK = "Clerk"
"""The specialist: looks tickets up and closes them."""

TRIAGE_INSTRUCTIONS = (
    f"You are the {TRIAGE} agent of the test desk. Hand questions about tickets to the {CLERK}."
)
CLERK_INSTRUCTIONS = (
    f"You are the {CLERK} agent of the test desk. Look tickets up; close one when asked."
)

_TOOL_TIMEOUT = timedelta(seconds=30)


@dataclass
class DeskContext:
    """Who the conversation is with."""

    visitor: str = "guest"


class CloseRequest(BaseModel):
    """What closing a ticket needs."""

    ticket_id: str
    """The ticket, ``T-<number>``."""

    resolution: str
    """Why it is closed, for the ticket's history."""

    notify: str | None = None
    """Whom to tell, if anyone."""


@activity.defn(name="desk.look_up_ticket")
async def look_up_ticket(ticket_id: str) -> str:
    """Look a ticket up by its id (``T-<number>``)."""
    return f"Ticket {ticket_id} is open: the printer on floor 2 is jammed."


@activity.defn(name="desk.close_ticket")
async def close_ticket(request: CloseRequest) -> str:
    """Close a ticket (an operator approves it first)."""
    return f"Ticket {request.ticket_id} is closed: {request.resolution}"


ACTIVITIES = (look_up_ticket, close_ticket)
"""Every activity the desk's workflows call."""


@input_guardrail(name="no_passwords")
async def no_passwords(
    context: RunContextWrapper[DeskContext],
    agent: Agent[DeskContext],
    message: str | list[TResponseInputItem],
) -> GuardrailFunctionOutput:
    """Trip on a message that mentions a password: the desk never handles one."""
    text = message if isinstance(message, str) else str(message[-1:])
    tripped = "password" in text.lower()
    reasoning = "asks about a password" if tripped else "no password in the message"
    return GuardrailFunctionOutput(output_info={"reasoning": reasoning}, tripwire_triggered=tripped)


def build_agents() -> Agent[DeskContext]:
    """Triage, which hands off to the Clerk."""
    clerk = Agent[DeskContext](
        name=CLERK,
        instructions=CLERK_INSTRUCTIONS,
        tools=[
            activity_as_tool(look_up_ticket, start_to_close_timeout=_TOOL_TIMEOUT),
            activity_as_tool(
                close_ticket, start_to_close_timeout=_TOOL_TIMEOUT, needs_approval=True
            ),
        ],
        input_guardrails=[no_passwords],
    )
    return Agent[DeskContext](
        name=TRIAGE,
        instructions=TRIAGE_INSTRUCTIONS,
        handoffs=[clerk],
        input_guardrails=[no_passwords],
    )
