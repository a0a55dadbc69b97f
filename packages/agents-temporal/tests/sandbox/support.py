"""Shared set-up of the sandbox tests: a scripted shell model and a worker with real backends."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncGenerator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, cast

from agents import ModelResponse
from agents.sandbox.sandboxes.unix_local import UnixLocalSandboxClient
from temporalio.client import Client
from temporalio.worker import Worker

from agents_temporal import (
    ModelActivityParameters,
    OpenAIAgentsPlugin,
    SandboxClientProvider,
)
from agents_temporal.testing import ResponseBuilders, TestModel, TestModelProvider
from tests.sandbox.workflows import WORKFLOWS

PARAMS = ModelActivityParameters(start_to_close_timeout=timedelta(seconds=30))


def shell(command: str) -> ModelResponse:
    """A model response that runs ``command`` with the shell capability's ``exec_command``."""
    return ResponseBuilders.tool_call(json.dumps({"cmd": command, "login": False}), "exec_command")


def scripted(*commands: str, answer: str = "done") -> TestModel:
    """A model that runs ``commands`` one per turn, then answers."""
    return TestModel.returning_responses(
        [*(shell(command) for command in commands), ResponseBuilders.output_message(answer)]
    )


def local_providers(*names: str) -> list[SandboxClientProvider]:
    """Real unix_local backends, one per name."""
    return [SandboxClientProvider(name, UnixLocalSandboxClient()) for name in names or ("local",)]


def plugin(
    model: Any,
    providers: Sequence[SandboxClientProvider] = (),
    resolvable: Sequence[str] = (),
) -> OpenAIAgentsPlugin:
    return OpenAIAgentsPlugin(
        model_params=PARAMS,
        model_provider=TestModelProvider(model),
        sandbox_clients=list(providers) or local_providers(),
        resolvable_worker_env_vars=list(resolvable),
    )


@asynccontextmanager
async def sandbox_worker(
    client: Client, task_queue: str, agents_plugin: OpenAIAgentsPlugin
) -> AsyncGenerator[Client]:
    """A worker of the sandbox workflows with ``agents_plugin``; yields its client."""
    config = client.config()
    config["plugins"] = [agents_plugin]
    plugged = Client(**config)
    async with Worker(plugged, task_queue=task_queue, workflows=WORKFLOWS):
        yield plugged


async def history_text(handle: Any) -> str:
    """A workflow's history as text, with every payload decoded (payloads are base64 in JSON)."""
    history = (await handle.fetch_history()).to_json_dict()
    decoded: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in cast(dict[str, Any], node).items():
                if key == "data" and isinstance(value, str):
                    decoded.append(base64.b64decode(value).decode("utf-8", "replace"))
                walk(value)
        elif isinstance(node, list):
            for value in cast(list[Any], node):
                walk(value)

    walk(history)
    return json.dumps(history) + "\n".join(decoded)
