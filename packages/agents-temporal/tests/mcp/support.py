"""Shared set-up for the MCP tests: real servers, providers, a worker with the plugin, histories."""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from agents import Model, ModelResponse
from agents.mcp import MCPServerStdio, MCPServerStdioParams, MCPServerStreamableHttp
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from agents_temporal import (
    ModelActivityParameters,
    OpenAIAgentsPlugin,
    StatefulMCPServerProvider,
    StatelessMCPServerProvider,
)
from agents_temporal.testing import ModelRequest, ResponseBuilders, TestModel, TestModelProvider
from tests.mcp.workflows import WORKFLOWS, NotebookAnswer

SERVERS = Path(__file__).parent / "servers"
NOTEBOOK = SERVERS / "notebook.py"
BROKEN = SERVERS / "broken.py"
HISTORIES = Path(__file__).parent.parent / "histories"
MISSING_COMMAND = "no-such-mcp-server-command"
PARAMS = ModelActivityParameters(start_to_close_timeout=timedelta(seconds=30))

# Placeholders used when no real server runs: replay only needs the names.
UNUSED_URL = "http://127.0.0.1:9/mcp"
UNUSED_DIR = "/nonexistent"


def stdio_server(
    name: str, script: Path, env: dict[str, str] | None = None, **kwargs: Any
) -> MCPServerStdio:
    params: MCPServerStdioParams = {"command": sys.executable, "args": [str(script)]}
    if env is not None:
        params["env"] = env
    # Starting Python and importing mcp takes seconds on a busy test machine.
    return MCPServerStdio(params, name=name, client_session_timeout_seconds=30, **kwargs)


def filesystem_server(directory: str) -> MCPServerStdio:
    return MCPServerStdio(
        name="FileSystemServer",
        params={
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-filesystem", directory],
        },
        # The first run downloads the package from the npm registry.
        client_session_timeout_seconds=120,
    )


def notebook_providers(
    http_url: str = UNUSED_URL,
    pid_file: str | None = None,
    files_dir: str = UNUSED_DIR,
) -> list[StatelessMCPServerProvider | StatefulMCPServerProvider]:
    """Every provider the MCP tests use, with the real addresses each test needs."""
    env = {"NOTEBOOK_PID_FILE": pid_file} if pid_file else None
    return [
        StatelessMCPServerProvider(lambda: stdio_server("Notebook", NOTEBOOK)),
        StatelessMCPServerProvider(
            lambda: MCPServerStreamableHttp(name="HttpNotebook", params={"url": http_url})
        ),
        StatelessMCPServerProvider(
            lambda: MCPServerStreamableHttp(
                name="GuardedNotebook",
                params={"url": http_url},
                require_approval={"always": {"tool_names": ["erase_notes"]}},
            )
        ),
        StatefulMCPServerProvider(lambda: stdio_server("StatefulNotebook", NOTEBOOK, env)),
        StatelessMCPServerProvider(lambda: stdio_server("Broken", BROKEN)),
        StatefulMCPServerProvider(lambda: stdio_server("StatefulBroken", BROKEN)),
        StatelessMCPServerProvider(
            lambda: MCPServerStdio(name="Missing", params={"command": MISSING_COMMAND})
        ),
        StatelessMCPServerProvider(lambda: filesystem_server(files_dir)),
    ]


def unused_model() -> Model:
    return TestModel(lambda: ResponseBuilders.output_message("unused"))


@asynccontextmanager
async def agent_worker(
    client: Client,
    task_queue: str,
    providers: Sequence[StatelessMCPServerProvider | StatefulMCPServerProvider],
    model: Model | None = None,
) -> AsyncGenerator[Client]:
    plugin = OpenAIAgentsPlugin(
        model_params=PARAMS,
        model_provider=TestModelProvider(model or unused_model()),
        mcp_server_providers=providers,
    )
    config = client.config()
    config["plugins"] = [plugin]
    agent_client = Client(**config)
    async with Worker(agent_client, task_queue=task_queue, workflows=WORKFLOWS):
        yield agent_client


@asynccontextmanager
async def current_form_worker(
    client: Client,
    task_queue: str,
    servers: Mapping[str, Callable[..., Any]],
    model: Model | None = None,
    idle_timeout: timedelta | None = timedelta(minutes=5),
) -> AsyncGenerator[Client]:
    """A worker whose plugin registers ``servers`` the current way, ``mcp_servers=``."""
    plugin = OpenAIAgentsPlugin(
        model_params=PARAMS,
        model_provider=TestModelProvider(model or unused_model()),
        mcp_servers=servers,
        mcp_connection_idle_timeout=idle_timeout,
    )
    config = client.config()
    config["plugins"] = [plugin]
    agent_client = Client(**config)
    async with Worker(agent_client, task_queue=task_queue, workflows=WORKFLOWS):
        yield agent_client


async def start(client: Client, run: Any, arg: Any, task_queue: str) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        run,
        arg,
        id=f"mcp-{uuid.uuid4()}",  # noqa: TID251 - test ids, not workflow code
        task_queue=task_queue,
        execution_timeout=timedelta(seconds=90),
    )


async def activity_types(handle: WorkflowHandle[Any, Any]) -> list[str]:
    """The activity types the workflow scheduled, in order."""
    history = await handle.fetch_history()
    return [
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]


async def save_history_if_regenerating(name: str, handle: WorkflowHandle[Any, Any]) -> None:
    """With REGENERATE_HISTORIES=1, record the run as ``tests/histories/<name>.json``."""
    if os.environ.get("REGENERATE_HISTORIES") != "1":
        return
    history = await handle.fetch_history()
    HISTORIES.mkdir(exist_ok=True)
    text = json.dumps(json.loads(history.to_json()), indent=1)
    (HISTORIES / f"{name}.json").write_text(text + "\n")


def adding_model(*, tools: set[str] | None = None, offered: set[str] | None = None) -> TestModel:
    """A model that adds 2 and 3 with the notebook's ``add`` tool, then says the sum.

    Args:
        tools: The tool names every request must offer, exactly.
        offered: Tool names the first request must offer, among others.
    """

    def respond(request: ModelRequest) -> ModelResponse:
        names = {tool.name for tool in request.tools}
        if tools is not None:
            assert names == tools
        outputs = request.tool_outputs()
        if not outputs:
            assert offered is None or offered <= names
            return ResponseBuilders.tool_call('{"a": 2, "b": 3}', "add")
        return ResponseBuilders.output_message(f"2 + 3 = {outputs[0]}")

    return TestModel(respond)


def assert_added_and_read_prompts(answer: object) -> None:
    """``answer`` is the notebook's: the sum from its tool, its prompt listed and read."""
    assert isinstance(answer, NotebookAnswer)
    assert "5" in answer.answer.removeprefix("2 + 3 = ")
    assert answer.prompts == ["summarize"]
    assert answer.prompt_text == "Summarize what you know about durable agents in one sentence."
