"""The workloads of bench/compare.py, shared by both sides of the comparison.

This module runs unchanged in our workspace (``agents_temporal``) and in the isolated
environment of the published integration (``temporalio.openai_agents``), so it imports only
``agents``, ``openai`` and ``temporalio``; the one integration helper it needs,
``activity_as_tool``, comes from whichever integration is installed. Workflow classes live
here because the sandbox re-imports the module that defines them.

Two conversations, both played by a zero-latency scripted model:

- ``ShortConversation``: ``SHORT_CALLS`` model calls, nine calls of a workflow function tool
  then an answer (the throughput and latency workload);
- ``LongConversation``: model calls whose tool is an activity returning ``PAGE_BYTES`` of text
  each call, so every model call resends a growing conversation: ``LONG_CALLS`` of them for the
  history measurement, ``TOOL_CALLS`` in the tool-heavy throughput workload.
"""

from __future__ import annotations

import hashlib
import importlib
import itertools
import json
import re
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any, cast

from agents import (
    Agent,
    AgentOutputSchemaBase,
    Handoff,
    Model,
    ModelProvider,
    ModelResponse,
    ModelSettings,
    ModelTracing,
    Runner,
    Tool,
    TResponseInputItem,
    Usage,
    function_tool,
)
from agents.items import TResponseStreamEvent
from openai.types.responses import (
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
)
from temporalio import activity, workflow

SHORT_CALLS = 10
"""Model calls in one short conversation: nine tool calls, then the answer."""
LONG_CALLS = 200
"""Model calls in the long conversation, by default."""
TOOL_CALLS = 30
"""Model calls in one tool-heavy conversation (``LongConversation``, shorter), by default."""
PAGE_BYTES = 10 * 1024
"""Bytes the long conversation's tool returns per call."""
SHORT_MODEL = "compare-short"
LONG_MODEL = "compare-long"
PAGE_TOOL_TIMEOUT = timedelta(seconds=30)
_CALLS = re.compile(r"Make (\d+) calls\.")


def _integration_activity_as_tool() -> Callable[..., Tool]:
    # Ours first: the workspace has no published integration, the isolated env has no ours.
    for module in ("agents_temporal.workflow", "temporalio.openai_agents.workflow"):
        try:
            found: Callable[..., Tool] = importlib.import_module(module).activity_as_tool
        except ImportError:
            continue
        return found
    raise ImportError("neither agents_temporal nor temporalio.openai_agents is installed")


activity_as_tool = _integration_activity_as_tool()


def page_text(step: int) -> str:
    """The deterministic ``PAGE_BYTES`` of text the long conversation reads at ``step``."""
    header = f"<page step={step}>"
    seed = hashlib.sha256(header.encode()).hexdigest()
    return (header + seed * (PAGE_BYTES // len(seed) + 1))[:PAGE_BYTES]


@activity.defn
async def fetch_page(step: int) -> str:
    """Fetch one page of a long document."""
    return page_text(step)


@function_tool
def next_step(step: int) -> str:
    """Advance the benchmark conversation."""
    return f"step {step} done"


def prompt_for(calls: int) -> str:
    """The user prompt of a conversation of ``calls`` model calls (the model reads the count)."""
    return f"Make {calls} calls."


class ScriptedModel(Model):
    """Calls ``tool`` until the conversation holds ``calls - 1`` tool outputs, then answers.

    ``calls`` comes from the prompt (``prompt_for``), so one worker serves any length.

    Args:
        tool: Name of the tool to call, with ``{"step": n}`` as arguments.
    """

    _ids = itertools.count(1)

    def __init__(self, tool: str) -> None:
        self.tool = tool

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        **kwargs: Any,
    ) -> ModelResponse:
        items: list[Any] = [{"role": "user", "content": input}] if isinstance(input, str) else input
        calls = _calls_asked(items)
        done = sum(map(_is_tool_output, items))
        n = next(self._ids)
        output: ResponseFunctionToolCall | ResponseOutputMessage
        if done < calls - 1:
            output = ResponseFunctionToolCall(
                arguments=json.dumps({"step": done + 1}),
                call_id=f"call_{n}",
                name=self.tool,
                type="function_call",
                id=f"fc_{n}",
                status="completed",
            )
        else:
            text = ResponseOutputText(
                text=f"read {done} results", annotations=[], type="output_text"
            )
            output = ResponseOutputMessage(
                id=f"msg_{n}", content=[text], role="assistant", status="completed", type="message"
            )
        return ModelResponse(output=[output], usage=Usage(), response_id=None)

    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        **kwargs: Any,
    ) -> AsyncIterator[TResponseStreamEvent]:
        raise NotImplementedError("the benchmark workflows never stream")
        yield  # a bare yield makes this an async generator, as the interface expects


def _field(item: Any, name: str) -> Any:
    # Items are TypedDicts (plain dicts) on the wire, but an integration may hand the model
    # pydantic objects: accept both.
    if isinstance(item, dict):
        return cast(dict[str, Any], item).get(name)
    return getattr(item, name, None)


def _is_tool_output(item: Any) -> bool:
    return _field(item, "type") == "function_call_output"


def _calls_asked(items: list[Any]) -> int:
    for item in items:
        if _field(item, "role") == "user":
            content = _field(item, "content")
            if not isinstance(content, str):
                parts: list[Any] = list(content or [])
                content = "".join(str(_field(part, "text") or "") for part in parts)
            if match := _CALLS.search(content):
                return int(match.group(1))
    raise ValueError("the conversation has no prompt made by prompt_for()")


class ScriptedModelProvider(ModelProvider):
    """Resolves the benchmark's model names to scripted models (in the model activity)."""

    def __init__(self) -> None:
        self._models = {
            SHORT_MODEL: ScriptedModel("next_step"),
            LONG_MODEL: ScriptedModel("fetch_page"),
        }

    def get_model(self, model_name: str | None) -> Model:
        return self._models[model_name or SHORT_MODEL]


@workflow.defn
class ShortConversation:
    """A conversation of ``SHORT_CALLS`` model calls with an in-workflow tool."""

    @workflow.run
    async def run(self) -> str:
        agent = Agent[None](
            name="Short", instructions="Follow the steps.", tools=[next_step], model=SHORT_MODEL
        )
        result = await Runner.run(agent, prompt_for(SHORT_CALLS), max_turns=SHORT_CALLS + 1)
        return str(result.final_output)


@workflow.defn
class LongConversation:
    """A conversation of ``calls`` model calls whose tool returns ``PAGE_BYTES`` each time."""

    @workflow.run
    async def run(self, calls: int) -> str:
        page_tool = activity_as_tool(fetch_page, start_to_close_timeout=PAGE_TOOL_TIMEOUT)
        agent = Agent[None](
            name="Long", instructions="Read every page.", tools=[page_tool], model=LONG_MODEL
        )
        result = await Runner.run(agent, prompt_for(calls), max_turns=calls + 1)
        return str(result.final_output)


WORKFLOWS = [ShortConversation, LongConversation]
ACTIVITIES = [fetch_page]
