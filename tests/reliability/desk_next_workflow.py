"""Later builds of DeskConversation (workflow side): the same workflow type, changed agents.

Build B's changes need no patch; the look-up approval change does, shown without and with one.

A module of its own, because the workflow sandbox re-imports the module that defines it.
"""

from __future__ import annotations

from agents import Agent
from temporalio import workflow

from agents_temporal.workflow import ConversationInput, ConversationSummary, ConversationWorkflow

with workflow.unsafe.imports_passed_through():
    from stack_testapp import DeskContext
    from tests.reliability.desk_next_agents import (
        LOOK_UP_APPROVAL_PATCH,
        build_agents_approving_look_ups,
        build_next_agents,
    )


@workflow.defn(name="DeskConversation")
class DeskConversationNext(ConversationWorkflow[DeskContext]):
    """Build B of a visitor's conversation with the test desk."""

    context_type = DeskContext

    def build_agent(self) -> Agent[DeskContext]:
        return build_next_agents()

    @workflow.run
    async def run(self, input: ConversationInput) -> ConversationSummary:
        return await self.run_conversation()


@workflow.defn(name="DeskConversation")
class DeskConversationApprovingLookUps(ConversationWorkflow[DeskContext]):
    """A build whose look-ups need approval, unguarded: it cannot replay build A's look-ups."""

    context_type = DeskContext

    def build_agent(self) -> Agent[DeskContext]:
        return build_agents_approving_look_ups(True)

    @workflow.run
    async def run(self, input: ConversationInput) -> ConversationSummary:
        return await self.run_conversation()


@workflow.defn(name="DeskConversation")
class DeskConversationApprovingLookUpsPatched(ConversationWorkflow[DeskContext]):
    """The same change behind `workflow.patched`, as the deploy docs show it.

    The agents are built once per run, at first use: a run recorded before the patch replays
    without its marker and keeps build A's look-ups; a new run records the marker.
    """

    context_type = DeskContext

    def build_agent(self) -> Agent[DeskContext]:
        return build_agents_approving_look_ups(workflow.patched(LOOK_UP_APPROVAL_PATCH))

    @workflow.run
    async def run(self, input: ConversationInput) -> ConversationSummary:
        return await self.run_conversation()
