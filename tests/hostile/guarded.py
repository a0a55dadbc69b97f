"""A conversation whose answers pass an output guardrail that reads them in workflow code.

The guardrail is the test's own, a stand-in for an app's PII check: it trips on an email
address, and on an answer longer than it reads. What it costs on a long answer, every other
conversation on the worker waits for; so it reads in linear time and within a budget, as an
app's guardrail must (the example's own is tested for that in ``packages/support-guardrails``).
"""

from __future__ import annotations

import string
from typing import Any

from agents import Agent, GuardrailFunctionOutput, RunContextWrapper, output_guardrail
from temporalio import workflow

from agents_temporal.workflow import ConversationInput, ConversationSummary, ConversationWorkflow

GUARDED = "Answer the customer without revealing private details."

MAX_CHECKED_CHARS = 200_000
"""The longest answer the guardrail reads; a longer one trips it unread."""

_DOMAIN_CHARS = frozenset(string.ascii_letters + string.digits + ".-")
_LOCAL_CHARS = _DOMAIN_CHARS | frozenset("_+")


def has_email(text: str) -> bool:
    """Whether ``text`` holds something like ``name@example.com``.

    Linear in ``text``: each ``@`` is looked at once, and the domain after it ends at the next
    one, so no character is read twice (a regex searched from every start in a long run of
    letters reads it again from each: quadratic).
    """
    at = text.find("@")
    while at != -1:
        end = at + 1
        while end < len(text) and text[end] in _DOMAIN_CHARS:
            end += 1
        domain = text[at + 1 : end].strip(".")
        top = domain.rpartition(".")[2]
        if at > 0 and text[at - 1] in _LOCAL_CHARS and "." in domain and top.isalpha():
            return True
        at = text.find("@", end)
    return False


@output_guardrail(name="pii")
def no_email(
    ctx: RunContextWrapper[Any], agent: Agent[Any], output: Any
) -> GuardrailFunctionOutput:
    """Trip on an email address in the answer, or on an answer too long to read."""
    text = str(output)
    tripped = len(text) > MAX_CHECKED_CHARS or has_email(text)
    return GuardrailFunctionOutput(output_info={"chars": len(text)}, tripwire_triggered=tripped)


@workflow.defn
class GuardedConversation(ConversationWorkflow[Any]):
    def build_agent(self) -> Agent[Any]:
        return Agent[Any](name="Guarded", instructions=GUARDED, output_guardrails=[no_email])

    @workflow.run
    async def run(self, input: ConversationInput) -> ConversationSummary:
        return await self.run_conversation()
