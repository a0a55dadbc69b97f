"""Workflow side: ConversationCompactor summarizes older turns past a token budget."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from agents import Agent, RunConfig, Runner, TResponseInputItem
from agents.memory import Session
from agents.run import CallModelData, ModelInputData

from .._payloads.workflow_refs import STORED_ITEMS_TYPE

TokenCounter = Callable[[Sequence[TResponseInputItem]], int]
"""Counts (or estimates) the tokens a list of input items costs."""

SummaryRole = Literal["user", "assistant", "system", "developer"]
"""The role of the message that carries the summary."""

SUMMARY_HEADING = "Summary of the earlier conversation:"
"""The first line of every summary message."""

_INSTRUCTIONS = (
    "You condense conversations so that an assistant can carry on from your summary alone. "
    "Keep the user's goals and preferences, decisions made, facts, names, numbers, "
    "identifiers, the results of tool calls that still matter, and open questions. Leave "
    "out pleasantries and anything superseded. Write plain text, no preamble."
)


def estimate_tokens(items: Sequence[TResponseInputItem]) -> int:
    """About four characters of text per token: a fast estimate that needs no tokenizer."""
    return sum(_text_length(item) for item in items) // 4 + len(items)


def _text_length(value: object) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Mapping):
        return sum(_text_length(v) for v in cast(Mapping[str, object], value).values()) + 4
    if isinstance(value, list | tuple):
        return sum(_text_length(v) for v in cast(Sequence[object], value))
    return 4


def _field(item: object, name: str) -> Any:
    return cast(Mapping[str, Any], item).get(name) if isinstance(item, Mapping) else None


def _is_output(item: object) -> bool:
    kind = _field(item, "type")
    return isinstance(kind, str) and kind.endswith("_output") and bool(_field(item, "call_id"))


def _is_call(item: object) -> bool:
    kind = _field(item, "type")
    return isinstance(kind, str) and kind.endswith("_call") and bool(_field(item, "call_id"))


def safe_split(items: Sequence[TResponseInputItem], index: int) -> int:
    """Move a split point earlier until the kept items are valid model input on their own.

    A tool output must not be kept without its call, nor an item without the reasoning item
    that produced it: providers reject such input.
    """
    calls = {_field(item, "call_id"): i for i, item in enumerate(items) if _is_call(item)}
    changed = True
    while changed and index > 0:
        changed = False
        for item in items[index:]:
            call = calls.get(_field(item, "call_id")) if _is_output(item) else None
            if call is not None and call < index:
                index, changed = call, True
        while index > 0 and _field(items[index - 1], "type") == "reasoning":
            index, changed = index - 1, True
    return index


def _render(item: TResponseInputItem, limit: int) -> str:
    kind = _field(item, "type")
    role = _field(item, "role")
    content = _field(item, "content")
    if role is not None and content is not None:
        if isinstance(content, str):
            text = content
        else:
            parts = cast(Sequence[object], content)
            text = " ".join(str(_field(p, "text") or _field(p, "refusal") or "") for p in parts)
        line = f"{role}: {text}"
    elif kind == "function_call":
        line = f"tool call {_field(item, 'name')}({_field(item, 'arguments')})"
    elif _is_output(item):
        output = _field(item, "output")
        line = f"tool result: {output if isinstance(output, str) else json.dumps(output)}"
    else:
        line = f"{kind or 'item'}: {json.dumps(item, default=str)}"
    return line if len(line) <= limit else line[:limit] + " [...]"


@dataclass(frozen=True)
class CompactionResult:
    """What a compaction did."""

    items: list[TResponseInputItem]
    """What the model sees from now on: the summary message, then the items kept as they were."""

    summary: str
    """The summary the summarizer wrote."""

    summarized: list[TResponseInputItem]
    """The items the summary replaced; keep them (e.g. in a transcript) for operators."""

    tokens_before: int
    """The token count of the items before compaction."""

    tokens_after: int
    """The token count of ``items``."""


class ConversationCompactor:
    """Replaces the older part of a long conversation with a summary written by a model.

    Make one in workflow code, per workflow run (it remembers its latest summary): the summary
    is written by ``Runner.run(summarizer, ...)``, which in a workflow is the durable model
    activity, so a replay gets the same summary back. Two ways to apply it:

    - between turns, on a session: ``await compactor.compact_session(session)``;
    - before every model call of a run: ``RunConfig(call_model_input_filter=compactor)``. The
      run's own items are untouched; only what the model sees is shortened, and a summary is
      reused for later calls until the conversation outgrows the budget again.

    Args:
        summarizer: The agent that writes summaries (its instructions may be empty: the task
            is given in its input).
        max_tokens: Compact when the items are above this many tokens.
        keep_recent_tokens: Keep about this many tokens of the newest items verbatim; defaults
            to half of ``max_tokens``.
        count_tokens: Token counter; defaults to ``estimate_tokens`` (four characters a token).
        max_chars_per_item: Each item is cut to this many characters in the summarizer's input.
        summary_role: Role of the summary message. ``user`` by default: a summary of what
            users wrote must not gain the authority of a system message.
        run_config: Run configuration for the summarizer's run.
    """

    def __init__(
        self,
        summarizer: Agent[Any],
        *,
        max_tokens: int,
        keep_recent_tokens: int | None = None,
        count_tokens: TokenCounter = estimate_tokens,
        max_chars_per_item: int = 4_000,
        summary_role: SummaryRole = "user",
        run_config: RunConfig | None = None,
    ) -> None:
        if max_tokens <= 0:
            raise ValueError(f"max_tokens must be positive, not {max_tokens}")
        self.summarizer = summarizer
        self.max_tokens = max_tokens
        self.keep_recent_tokens = (
            max_tokens // 2 if keep_recent_tokens is None else keep_recent_tokens
        )
        self.count_tokens = count_tokens
        self.max_chars_per_item = max_chars_per_item
        self.summary_role: SummaryRole = summary_role
        # The summarizer's own calls must not be compacted by this compactor again.
        self._run_config = dataclasses.replace(
            run_config or RunConfig(), call_model_input_filter=None
        )
        self._covered: list[TResponseInputItem] = []
        self._summary_item: TResponseInputItem | None = None

    def summary_message(self, summary: str) -> TResponseInputItem:
        """The input item that stands for the summarized items."""
        message = {"role": self.summary_role, "content": f"{SUMMARY_HEADING}\n{summary}"}
        return cast(TResponseInputItem, message)

    async def summarize(self, items: Sequence[TResponseInputItem]) -> str:
        """Have the summarizer write a summary of ``items``."""
        if any(_field(item, "type") == STORED_ITEMS_TYPE for item in items):
            # Items replaced by a stored-items reference are only expanded on their way to a
            # model, so the summarizer gets the items themselves rather than a transcript.
            request = {"role": "user", "content": f"{_INSTRUCTIONS}\n\nSummarize the above."}
            prompt: str | list[TResponseInputItem] = [*items, cast(TResponseInputItem, request)]
        else:
            transcript = "\n".join(_render(item, self.max_chars_per_item) for item in items)
            prompt = f"{_INSTRUCTIONS}\n\n<conversation>\n{transcript}\n</conversation>"
        result = await Runner.run(self.summarizer, prompt, run_config=self._run_config)
        return str(result.final_output).strip()

    async def compact(
        self, items: Sequence[TResponseInputItem], *, force: bool = False
    ) -> CompactionResult | None:
        """Summarize the older items when ``items`` are over budget.

        Args:
            items: The conversation, oldest first.
            force: Compact even when under budget.

        Returns:
            The compacted conversation, or None when nothing needed (or could be) summarized.
        """
        before = self.count_tokens(items)
        if before <= self.max_tokens and not force:
            return None
        split, kept_tokens = len(items), 0
        while split > 0:
            cost = self.count_tokens(items[split - 1 : split])
            if kept_tokens + cost > self.keep_recent_tokens:
                break
            kept_tokens += cost
            split -= 1
        split = safe_split(items, split)
        if split == 0:
            return None
        older, kept = list(items[:split]), list(items[split:])
        summary = await self.summarize(older)
        compacted = [self.summary_message(summary), *kept]
        return CompactionResult(compacted, summary, older, before, self.count_tokens(compacted))

    async def compact_session(self, session: Session) -> CompactionResult | None:
        """Compact a session's items in place when they are over budget."""
        result = await self.compact(await session.get_items())
        if result is not None:
            await session.clear_session()
            await session.add_items(result.items)
        return result

    async def __call__(self, data: CallModelData[Any]) -> ModelInputData:
        """Shorten one model call's input (``RunConfig.call_model_input_filter``)."""
        items = list(data.model_data.input)
        covered = len(self._covered)
        view = items
        if self._summary_item is not None and items[:covered] == self._covered:
            view = [self._summary_item, *items[covered:]]
        else:
            covered = 0
        result = await self.compact(view)
        if result is None:
            return ModelInputData(input=view, instructions=data.model_data.instructions)
        # The summary now stands for what it summarized, in terms of the run's own items.
        summarized = len(result.summarized) - (1 if view is not items else 0)
        self._covered = items[: covered + summarized]
        self._summary_item = result.items[0]
        return ModelInputData(input=result.items, instructions=data.model_data.instructions)
