"""Both sides: token counts a conversation reports to its clients (data only, no Agents SDK).

Kept apart from the workflow-side hooks that fill them, so that a client (the console) can read
a usage report without importing the Agents SDK.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from agents import Usage


class UsageTotals(BaseModel):
    """Token counts summed over some model calls."""

    requests: int = 0
    """Model requests made."""

    input_tokens: int = 0
    """Tokens sent to the model."""

    cached_input_tokens: int = 0
    """Input tokens served from the provider's prompt cache (included in ``input_tokens``)."""

    output_tokens: int = 0
    """Tokens the model produced."""

    reasoning_tokens: int = 0
    """Output tokens spent on reasoning (included in ``output_tokens``)."""

    total_tokens: int = 0
    """Input plus output tokens, as the provider reports them."""

    def add(self, other: UsageTotals) -> None:
        """Add ``other``'s counts to these."""
        self.requests += other.requests
        self.input_tokens += other.input_tokens
        self.cached_input_tokens += other.cached_input_tokens
        self.output_tokens += other.output_tokens
        self.reasoning_tokens += other.reasoning_tokens
        self.total_tokens += other.total_tokens

    @staticmethod
    def from_usage(usage: Usage) -> UsageTotals:
        """The counts of one SDK ``Usage``."""
        return UsageTotals(
            requests=usage.requests,
            input_tokens=usage.input_tokens,
            cached_input_tokens=usage.input_tokens_details.cached_tokens or 0,
            output_tokens=usage.output_tokens,
            reasoning_tokens=usage.output_tokens_details.reasoning_tokens or 0,
            total_tokens=usage.total_tokens,
        )


class ModelCallUsage(BaseModel):
    """The usage of one model call."""

    agent: str
    """Name of the agent that made the call."""

    turn: int
    """Conversation turn the call belongs to (0 outside conversations)."""

    at: datetime
    """When the call's response reached the workflow (``workflow.now()``)."""

    usage: UsageTotals
    """What the call used."""


class UsageReport(BaseModel):
    """Token usage of a conversation: the sum, the sum per agent, and recent calls.

    The sums cover every call the conversation ever made, across continue-as-new. ``calls``
    keeps the newest calls only (``keep_calls``), so that a conversation of any length carries
    bounded state.
    """

    total: UsageTotals = Field(default_factory=UsageTotals)
    """Sum over every model call."""

    by_agent: dict[str, UsageTotals] = Field(default_factory=dict[str, UsageTotals])
    """Sum over each agent's model calls, by agent name."""

    calls: list[ModelCallUsage] = Field(default_factory=list[ModelCallUsage])
    """The newest model calls, oldest first."""

    calls_recorded: int = 0
    """How many calls were ever recorded (``calls`` may hold fewer)."""

    keep_calls: int = 1000
    """How many calls ``calls`` keeps."""

    def record(self, call: ModelCallUsage) -> None:
        """Add one model call."""
        self.total.add(call.usage)
        self.by_agent.setdefault(call.agent, UsageTotals()).add(call.usage)
        self.calls.append(call)
        self.calls_recorded += 1
        if len(self.calls) > self.keep_calls:
            del self.calls[: len(self.calls) - self.keep_calls]
