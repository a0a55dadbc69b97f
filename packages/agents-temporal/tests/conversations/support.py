"""The scripted shop model and a worker for ShopConversation tests."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar, cast

from agents import ModelResponse, Usage
from openai.types.responses import ResponseFunctionToolCall
from temporalio.client import Client
from temporalio.worker import Worker

from agents_temporal import ModelActivityParameters
from agents_temporal.client import ConversationConfig, ConversationHandle, ConversationInput
from agents_temporal.testing import AgentEnvironment, ModelRequest, ResponseBuilders, TestModel
from tests.conversations.workflows import ACTIVITIES, DESK, REFUNDS, TRIAGE, ShopConversation

_T = TypeVar("_T")

CALL_USAGE = Usage(requests=1, input_tokens=100, output_tokens=10, total_tokens=110)
"""What every scripted model call reports using."""

AGENT_BY_INSTRUCTIONS = {TRIAGE: "Triage", REFUNDS: "Refunds"}


def _with_usage(response: ModelResponse) -> ModelResponse:
    return ModelResponse(output=response.output, usage=CALL_USAGE, response_id=None)


def reply(text: str) -> ModelResponse:
    return _with_usage(ResponseBuilders.output_message(text))


def call(tool: str, *arguments: dict[str, Any]) -> ModelResponse:
    """A response calling ``tool`` once per arguments object (in parallel)."""
    calls = [ResponseBuilders.tool_call(json.dumps(a), tool).output[0] for a in arguments]
    return ModelResponse(output=calls, usage=CALL_USAGE, response_id=None)


def items(request: ModelRequest) -> list[dict[str, Any]]:
    if isinstance(request.input, str):
        return [{"role": "user", "content": request.input}]
    return [cast(dict[str, Any], item) for item in request.input]


def since_last_user(request: ModelRequest) -> list[dict[str, Any]]:
    history = items(request)
    last_user = max(i for i, item in enumerate(history) if item.get("role") == "user")
    return history[last_user + 1 :]


def shop_model(request: ModelRequest) -> ModelResponse:
    """Plays the shop's agents by keywords: the same request always gets the same answer."""
    agent = AGENT_BY_INSTRUCTIONS[request.system_instructions or ""]
    text = request.last_user_text().lower()
    tools = {t.name for t in request.tools}
    outputs = [
        str(item["output"])
        for item in since_last_user(request)
        if item.get("type") == "function_call_output"
        and not str(item["output"]).startswith('{"assistant"')  # a handoff's output
    ]
    if outputs:
        return reply(f"{agent}: {' / '.join(outputs)}")
    handoffs = {h.tool_name for h in request.handoffs}
    refunds = re.findall(r"refund (\w+) (\d+)", text)
    if "refund" in text and "transfer_to_refunds" in handoffs:
        return call("transfer_to_refunds", {})
    if text.startswith("remember ") and "remember" in tools:
        return call("remember", {"note": text.removeprefix("remember ")})
    if text.startswith("where is ") and "slow_lookup" in tools:
        return call("slow_lookup", {"order_id": text.removeprefix("where is ").upper()})
    if refunds and "issue_refund" in tools:
        return call(
            "issue_refund", *({"order_id": o.upper(), "amount": float(a)} for o, a in refunds)
        )
    return reply(f"{agent}: you said {text!r}")


def function_calls(request: ModelRequest) -> list[ResponseFunctionToolCall]:
    """The function calls in a request's input (its history)."""
    return [
        ResponseFunctionToolCall.model_validate(item)
        for item in items(request)
        if item.get("type") == "function_call"
    ]


def workflow_type_name(workflow_class: type) -> str:
    """The workflow type of a ``@workflow.defn`` class (its class name, in these tests)."""
    return workflow_class.__name__


@dataclass
class Shop:
    client: Client
    model: TestModel
    task_queue: str
    workflow: type = ShopConversation

    async def start(
        self, config: ConversationConfig | None = None, context: Any = None
    ) -> ConversationHandle:
        return await ConversationHandle.start(
            self.client,
            workflow_type_name(self.workflow),
            id=f"conversation-{uuid.uuid4()}",  # noqa: TID251 - test ids, not workflow code
            task_queue=self.task_queue,
            input=ConversationInput(
                config=config or ConversationConfig(), context=context or {"customer": "Ada"}
            ),
            execution_timeout=timedelta(seconds=60),
        )


@asynccontextmanager
async def shop(
    temporal_client: Client, task_queue: str, workflow: type = ShopConversation
) -> AsyncGenerator[Shop]:
    """A worker serving ShopConversation with the scripted model."""
    DESK.refunds.clear()
    model = TestModel(shop_model)
    params = ModelActivityParameters(start_to_close_timeout=timedelta(seconds=10))
    async with AgentEnvironment(model=model, model_params=params) as env:
        client = env.applied_on_client(temporal_client)
        async with Worker(
            client, task_queue=task_queue, workflows=[workflow], activities=ACTIVITIES
        ):
            yield Shop(client, model, task_queue, workflow)


async def eventually(probe: Callable[[], Awaitable[_T]], check: Callable[[_T], bool]) -> _T:
    """Poll ``probe`` until ``check`` holds on its value (observable state, not a sleep)."""
    async with asyncio.timeout(20):
        while True:
            value = await probe()
            if check(value):
                return value
            await asyncio.sleep(0.1)
