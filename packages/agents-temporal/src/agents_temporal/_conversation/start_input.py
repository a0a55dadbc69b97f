"""Workflow side: what a conversation accepts from whoever starts it.

A conversation's start input comes from any client that can reach Temporal, so nothing in it
may raise what the workflow allows: the config only tightens the workflow's own, the context
is bounded, and the snapshot (the state a run carries into the next) is accepted only on a run
that continue-as-new started, because only the workflow writes one.
"""

from __future__ import annotations

from pydantic_core import to_json
from temporalio import workflow

from .types import ConversationConfig, ConversationInput


def started_by_continue_as_new(info: workflow.Info) -> bool:
    """Whether this run is one that a conversation's own continue-as-new started.

    A retry and a cron run also name the run before them, but they repeat the first input as
    the client wrote it: only a first attempt without a cron schedule is a continued run.
    """
    return info.continued_run_id is not None and info.attempt == 1 and not info.cron_schedule


def start_input_problems(input: ConversationInput, allowed: ConversationConfig) -> list[str]:
    """What a first run refuses in its input, one sentence each (none when it can start)."""
    problems: list[str] = []
    if input.snapshot is not None:
        problems.append(
            "it carries a snapshot, which only the conversation itself writes when it continues "
            "as new: start it without one"
        )
    config = allowed
    try:
        config = allowed.tightened_by(input.config)
    except ValueError as error:
        problems.append(f"its config is not usable: {error}")
    size = len(to_json(input.context))
    if size > config.max_context_bytes:
        problems.append(
            f"its context is {size:,} bytes of JSON and the limit is "
            f"{config.max_context_bytes:,}: pass ids the tools can look things up by, not the data"
        )
    return problems


def refusal_message(problems: list[str]) -> str:
    """The one message a conversation that refused its start input fails with."""
    return f"This conversation cannot start: {'; '.join(problems)}."
