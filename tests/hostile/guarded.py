"""A conversation whose answers pass the example domain's PII output guardrail.

It spans members on purpose: the guardrail runs in workflow code, so what it costs on a long
answer is what every other conversation on the worker waits for.
"""

from __future__ import annotations

from typing import Any

from agents import Agent
from temporalio import workflow

from agents_temporal.workflow import ConversationInput, ConversationSummary, ConversationWorkflow

with workflow.unsafe.imports_passed_through():
    from support_guardrails import make_pii_guardrail

GUARDED = "Answer the customer without revealing private details."


@workflow.defn
class GuardedConversation(ConversationWorkflow[Any]):
    def build_agent(self) -> Agent[Any]:
        return Agent[Any](
            name="Guarded", instructions=GUARDED, output_guardrails=[make_pii_guardrail()]
        )

    @workflow.run
    async def run(self, input: ConversationInput) -> ConversationSummary:
        return await self.run_conversation()
