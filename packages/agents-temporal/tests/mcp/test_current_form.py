"""The current MCP form: ``mcp_servers={name: factory}`` and ``temporal_mcp_server(name)``.

Real servers: the notebook over stdio (a child process per connection) and over streamable
HTTP. The factories count the servers they build, which is how many connections were opened.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from agents.mcp import MCPServer, MCPServerStdio, MCPServerStreamableHttp, ToolFilterContext
from mcp.types import Tool
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from tests.mcp.support import (
    NOTEBOOK,
    activity_types,
    adding_model,
    assert_added_and_read_prompts,
    current_form_worker,
    save_history_if_regenerating,
    start,
    stdio_server,
)
from tests.mcp.workflows import CurrentFormQuestion, CurrentFormWorkflow


class CountingFactory:
    """Builds notebook servers and remembers the argument of each build."""

    def __init__(self, build: Any) -> None:
        self._build = build
        self.arguments: list[Any] = []

    def __call__(self, argument: Any) -> MCPServer:
        self.arguments.append(argument)
        return self._build()


def stdio_notebook() -> MCPServerStdio:
    return stdio_server("notebook", NOTEBOOK)


async def answer_of(client: Client, question: CurrentFormQuestion, task_queue: str) -> Any:
    handle = await start(client, CurrentFormWorkflow.run, question, task_queue)
    answer = await handle.result()
    assert_added_and_read_prompts(answer)
    return handle


async def test_workflows_share_one_stdio_connection(
    temporal_client: Client, task_queue: str
) -> None:
    factory = CountingFactory(stdio_notebook)
    question = CurrentFormQuestion(server="notebook", question="2 + 3?")
    async with current_form_worker(
        temporal_client, task_queue, {"notebook": factory}, adding_model()
    ) as client:
        first = await answer_of(client, question, task_queue)
        await answer_of(client, question, task_queue)
    # Two workflows, eight MCP activities, one server process: the connection is shared.
    assert factory.arguments == [None]
    assert [name for name in await activity_types(first) if name.startswith("temporalio.mcp")] == [
        "temporalio.mcp.notebook.list-tools",
        "temporalio.mcp.notebook.call-tool",
        "temporalio.mcp.notebook.list-prompts",
        "temporalio.mcp.notebook.get-prompt",
    ]
    await save_history_if_regenerating("mcp_current_form", first)


async def test_uncached_tool_list_is_an_activity_every_turn_over_http(
    temporal_client: Client, task_queue: str, http_url: str
) -> None:
    factory = CountingFactory(
        lambda: MCPServerStreamableHttp(name="notebook", params={"url": http_url})
    )
    question = CurrentFormQuestion(server="notebook", question="2 + 3?", cache_tools_list=False)
    async with current_form_worker(
        temporal_client, task_queue, {"notebook": factory}, adding_model()
    ) as client:
        handle = await answer_of(client, question, task_queue)
    listings = [name for name in await activity_types(handle) if name.endswith(".list-tools")]
    assert len(listings) == 2
    assert factory.arguments == [None]


async def test_factory_argument_builds_a_server_for_each_request(
    temporal_client: Client, task_queue: str
) -> None:
    factory = CountingFactory(stdio_notebook)
    question = CurrentFormQuestion(
        server="notebook", question="2 + 3?", factory_argument={"tenant": "acme"}
    )
    async with current_form_worker(
        temporal_client, task_queue, {"notebook": factory}, adding_model()
    ) as client:
        await answer_of(client, question, task_queue)
    assert factory.arguments == [{"tenant": "acme"}] * 4


async def test_zero_idle_timeout_never_shares(temporal_client: Client, task_queue: str) -> None:
    factory = CountingFactory(stdio_notebook)
    question = CurrentFormQuestion(server="notebook", question="2 + 3?")
    async with current_form_worker(
        temporal_client, task_queue, {"notebook": factory}, adding_model(), timedelta(0)
    ) as client:
        await answer_of(client, question, task_queue)
    assert factory.arguments == [None] * 4


@pytest.mark.parametrize(
    ("question", "tools"),
    [
        (
            CurrentFormQuestion(
                server="notebook", question="2 + 3?", blocked_tools=["erase_notes", "recall"]
            ),
            {"add", "remember"},
        ),
        (
            CurrentFormQuestion(server="notebook", question="2 + 3?", only_tools_starting_with="a"),
            {"add"},
        ),
    ],
    ids=["static", "callable"],
)
async def test_tool_filters_run_in_the_workflow(
    question: CurrentFormQuestion, tools: set[str], temporal_client: Client, task_queue: str
) -> None:
    async with current_form_worker(
        temporal_client, task_queue, {"notebook": stdio_notebook}, adding_model(tools=tools)
    ) as client:
        await answer_of(client, question, task_queue)


async def failure_of(client: Client, question: CurrentFormQuestion, task_queue: str) -> Any:
    handle = await start(client, CurrentFormWorkflow.run, question, task_queue)
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError)
    return cause


async def test_unknown_name_lists_the_registered_servers(
    temporal_client: Client, task_queue: str
) -> None:
    question = CurrentFormQuestion(server="notbook", question="2 + 3?")
    async with current_form_worker(
        temporal_client, task_queue, {"notebook": stdio_notebook}
    ) as client:
        error = await failure_of(client, question, task_queue)
    assert error.type == "AgentsConfigurationError"
    assert "No MCP server named 'notbook'" in error.message
    assert "(registered: 'notebook')" in error.message


async def test_callable_filter_on_the_worker_side_fails_at_once(
    temporal_client: Client, task_queue: str
) -> None:
    def keep_all(_context: ToolFilterContext, _tool: Tool) -> bool:
        return True

    def filtered() -> MCPServerStdio:
        return stdio_server("notebook", NOTEBOOK, tool_filter=keep_all)

    question = CurrentFormQuestion(server="notebook", question="2 + 3?")
    async with current_form_worker(temporal_client, task_queue, {"notebook": filtered}) as client:
        error = await failure_of(client, question, task_queue)
    assert "callable tool_filter on the worker" in error.message
    assert "temporal_mcp_server(..., tool_filter=...)" in error.message


async def test_factory_without_parameter_refuses_an_argument(
    temporal_client: Client, task_queue: str
) -> None:
    question = CurrentFormQuestion(server="notebook", question="2 + 3?", factory_argument="x")
    async with current_form_worker(
        temporal_client, task_queue, {"notebook": stdio_notebook}
    ) as client:
        error = await failure_of(client, question, task_queue)
    assert "its factory takes no argument" in error.message


def test_factory_needing_two_arguments_is_refused_when_registered() -> None:
    from agents_temporal import OpenAIAgentsPlugin

    def two(first: Any, second: Any) -> MCPServer:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="must take no argument or one positional argument"):
        OpenAIAgentsPlugin(mcp_servers={"notebook": two})  # pyright: ignore[reportArgumentType]
