"""A small neutral agent app for testing the stack: a help desk for tickets.

The worker's, the console's and the dev stack's tests run on it instead of the example domain,
so deleting the example deletes only the example. It has what those tests exercise and nothing
more: a triage agent that hands off to one specialist, an activity tool, a tool that needs an
operator's approval, an input guardrail, starter prompts and an offline model.

It declares no entry point, so installing the workspace does not put it in every `uv run dev`;
tests name it with ``AGENT_APP_OBJECTS="stack_testapp:app"``.

- ``app``: the `AgentApp`.
- ``DeskConversation``: its conversation workflow.
- ``DeskModel``: its offline model (responses ``offline-demo-...``).
"""

import contextlib
from collections.abc import AsyncGenerator, Callable, Sequence
from typing import Any

from agents_temporal.apps import AgentApp, AgentInfo, AppSettings
from stack_testapp._agents import (
    ACTIVITIES,
    CLERK,
    TRIAGE,
    CloseRequest,
    DeskContext,
    close_ticket,
    look_up_ticket,
)
from stack_testapp._model import GREETING, OFFLINE_RESPONSE_PREFIX, DeskModel, DeskModelProvider
from stack_testapp._workflow import DeskConversation

REFERENCE = "stack_testapp:app"
"""What AGENT_APP_OBJECTS says to run this app."""


@contextlib.asynccontextmanager
async def desk_activities(settings: AppSettings) -> AsyncGenerator[Sequence[Callable[..., Any]]]:
    """The desk's activities; it has no resources to open."""
    yield ACTIVITIES


app = AgentApp(
    name="desk",
    title="Test desk",
    description="A neutral app for testing the stack: triage hands tickets to a clerk.",
    conversation_workflow=DeskConversation,
    workflows=[DeskConversation],
    activities=desk_activities,
    agents=[
        AgentInfo(TRIAGE, "Finds out what the visitor needs.", (CLERK,)),
        AgentInfo(CLERK, "Looks up and closes tickets", (), ("look_up_ticket", "close_ticket")),
    ],
    starter_prompts=["Hello", "What is the status of T-1?", "Please close T-2"],
    offline_model_provider=DeskModelProvider,
    sandbox_passthrough_modules=["stack_testapp._agents"],
)

__all__ = [  # noqa: RUF022 - plain sorted order
    "CLERK",
    "CloseRequest",
    "DeskContext",
    "DeskConversation",
    "DeskModel",
    "DeskModelProvider",
    "GREETING",
    "OFFLINE_RESPONSE_PREFIX",
    "REFERENCE",
    "TRIAGE",
    "app",
    "close_ticket",
    "desk_activities",
    "look_up_ticket",
]
