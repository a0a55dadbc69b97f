"""Stateless MCP servers in workflows: a Python stdio server, streamable HTTP, approvals."""

from __future__ import annotations

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from agents_temporal.testing import ResponseBuilders, TestModel
from tests.mcp.support import (
    activity_types,
    adding_model,
    agent_worker,
    assert_added_and_read_prompts,
    notebook_providers,
    save_history_if_regenerating,
    start,
)
from tests.mcp.workflows import (
    ApprovalOutcome,
    ApprovalWorkflow,
    NotebookQuestion,
    NotebookWorkflow,
    PromptRequest,
    PromptWorkflow,
)


async def test_stdio_server_tools_prompts_and_cached_tool_list(
    temporal_client: Client, task_queue: str
) -> None:
    model = adding_model(offered={"add", "remember", "recall", "erase_notes"})
    question = NotebookQuestion(server="Notebook", question="2 + 3?", cache_tools_list=True)
    async with agent_worker(temporal_client, task_queue, notebook_providers(), model) as client:
        handle = await start(client, NotebookWorkflow.run, question, task_queue)
        answer = await handle.result()
    assert_added_and_read_prompts(answer)
    mcp = [name for name in await activity_types(handle) if name.startswith("agents_temporal.mcp")]
    # Two agent turns, one tool list: the list is cached in workflow state.
    assert mcp == [
        "agents_temporal.mcp.Notebook.list_tools",
        "agents_temporal.mcp.Notebook.call_tool",
        "agents_temporal.mcp.Notebook.list_prompts",
        "agents_temporal.mcp.Notebook.get_prompt",
    ]
    await save_history_if_regenerating("mcp_stateless", handle)


async def test_streamable_http_server_lists_tools_every_turn(
    temporal_client: Client, task_queue: str, http_url: str
) -> None:
    model = adding_model(offered={"add", "remember", "recall", "erase_notes"})
    question = NotebookQuestion(server="HttpNotebook", question="2 + 3?")
    providers = notebook_providers(http_url=http_url)
    async with agent_worker(temporal_client, task_queue, providers, model) as client:
        handle = await start(client, NotebookWorkflow.run, question, task_queue)
        answer = await handle.result()
    assert "5" in answer.answer.removeprefix("2 + 3 = ")
    types = await activity_types(handle)
    assert types.count("agents_temporal.mcp.HttpNotebook.list_tools") == 2
    assert types.count("agents_temporal.mcp.HttpNotebook.call_tool") == 1


async def test_require_approval_interrupts_the_run(
    temporal_client: Client, task_queue: str, http_url: str
) -> None:
    model = TestModel.returning_responses([ResponseBuilders.tool_call("{}", "erase_notes")])
    providers = notebook_providers(http_url=http_url)
    async with agent_worker(temporal_client, task_queue, providers, model) as client:
        handle = await start(client, ApprovalWorkflow.run, "GuardedNotebook", task_queue)
        outcome = await handle.result()
    assert isinstance(outcome, ApprovalOutcome)
    assert outcome.pending == ["erase_notes"]
    assert outcome.final_output is None
    # The server's require_approval names one tool; the others run without asking.
    assert outcome.needs_approval == {
        "add": False,
        "remember": False,
        "recall": False,
        "erase_notes": True,
    }
    assert "agents_temporal.mcp.GuardedNotebook.call_tool" not in await activity_types(handle)
    await save_history_if_regenerating("mcp_approval", handle)


async def test_request_the_server_rejects_fails_without_retrying(
    temporal_client: Client, task_queue: str, http_url: str
) -> None:
    request = PromptRequest(server="HttpNotebook", prompt="no_such_prompt")
    async with agent_worker(temporal_client, task_queue, notebook_providers(http_url)) as client:
        handle = await start(client, PromptWorkflow.run, request, task_queue)
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
    error = failed.value.cause
    assert isinstance(error, ApplicationError)
    assert error.type == "MCPRequestError"
    assert error.message.startswith("MCP server 'HttpNotebook' rejected prompt 'no_such_prompt'")
    history = await handle.fetch_history()
    failures = [
        event.activity_task_failed_event_attributes.failure
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED
    ]
    assert len(failures) == 1
    assert failures[0].application_failure_info.non_retryable
