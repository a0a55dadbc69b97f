"""Build B of the test desk, for the deploy scenario: the same conversation, a changed agent.

What a real redeploy changes while conversations run: instructions (each agent's gain a
sentence), a new tool (the Clerk's ``ticket_priority``, an activity) and a new handoff (Triage
may also hand off to an Archivist). The workflow type keeps its name, ``DeskConversation``, so
conversations build A started continue here. Workers load it with
``AGENT_APP_OBJECTS="tests.reliability.desk_next:app"``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable, Sequence
from typing import Any

from agents_temporal.apps import AgentApp, AgentInfo, AppSettings
from stack_testapp import CLERK, TRIAGE, DeskModelProvider, close_ticket, look_up_ticket
from tests.reliability.desk_next_agents import ARCHIVIST, ticket_priority
from tests.reliability.desk_next_workflow import DeskConversationNext

REFERENCE = "tests.reliability.desk_next:app"
"""What AGENT_APP_OBJECTS says to run build B."""


@contextlib.asynccontextmanager
async def next_activities(settings: AppSettings) -> AsyncGenerator[Sequence[Callable[..., Any]]]:
    """Build A's activities and the new tool's."""
    yield (look_up_ticket, close_ticket, ticket_priority)


app = AgentApp(
    name="desk",
    title="Test desk (build B)",
    description="The test desk with changed instructions, a new tool and a new handoff.",
    conversation_workflow=DeskConversationNext,
    workflows=[DeskConversationNext],
    activities=next_activities,
    agents=[
        AgentInfo(TRIAGE, "Finds out what the visitor needs.", (CLERK, ARCHIVIST)),
        AgentInfo(
            CLERK,
            "Looks up, ranks and closes tickets",
            (),
            ("look_up_ticket", "close_ticket", "ticket_priority"),
        ),
        AgentInfo(ARCHIVIST, "Finds closed tickets."),
    ],
    offline_model_provider=DeskModelProvider,
    sandbox_passthrough_modules=["stack_testapp._agents", "tests.reliability.desk_next_agents"],
)
