"""Clear errors: unknown server names, servers that fail to start, bad provider set-ups."""

from __future__ import annotations

import sys
from typing import Literal

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from agents_temporal import OpenAIAgentsPlugin, StatelessMCPServerProvider
from tests.mcp.support import (
    BROKEN,
    MISSING_COMMAND,
    NOTEBOOK,
    agent_worker,
    notebook_providers,
    start,
    stdio_server,
)
from tests.mcp.workflows import ListToolsWorkflow, MisuseRequest


async def failure_of(client: Client, request: MisuseRequest, task_queue: str) -> ApplicationError:
    handle = await start(client, ListToolsWorkflow.run, request, task_queue)
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError)
    return cause


@pytest.mark.parametrize("kind", ["stateless", "stateful"])
async def test_unknown_server_name_lists_the_registered_ones(
    kind: Literal["stateless", "stateful"], temporal_client: Client, task_queue: str
) -> None:
    request = MisuseRequest(server="Notbook", kind=kind)
    async with agent_worker(temporal_client, task_queue, notebook_providers()) as client:
        error = await failure_of(client, request, task_queue)
    if kind == "stateful":
        # The published integration's message for this case, with ours as its cause.
        assert error.message == "MCP Stateful Server Worker failed to schedule activity."
        assert isinstance(error.cause, ApplicationError)
        error = error.cause
    assert error.type == "AgentsConfigurationError"
    assert "No MCP server named 'Notbook'" in error.message
    assert "'Notebook'" in error.message
    assert "'StatefulNotebook'" in error.message
    assert "mcp_server_providers" in error.message


@pytest.mark.parametrize("server", ["Broken", "StatefulBroken"])
async def test_server_that_exits_reports_its_command_and_stderr(
    server: str, temporal_client: Client, task_queue: str
) -> None:
    kind = "stateful" if server.startswith("Stateful") else "stateless"
    request = MisuseRequest(server=server, kind=kind)
    async with agent_worker(temporal_client, task_queue, notebook_providers()) as client:
        error = await failure_of(client, request, task_queue)
    assert error.type == "MCPServerStartError"
    assert f"MCP server {server!r} failed to start" in error.message
    assert f"`{sys.executable} {BROKEN}`" in error.message
    assert "exited before completing the MCP handshake" in error.message
    assert "notebook: fatal: NOTEBOOK_TOKEN is not set" in error.message


async def test_missing_command_reports_it(temporal_client: Client, task_queue: str) -> None:
    request = MisuseRequest(server="Missing", kind="stateless")
    async with agent_worker(temporal_client, task_queue, notebook_providers()) as client:
        error = await failure_of(client, request, task_queue)
    assert error.type == "MCPServerStartError"
    assert f"`{MISSING_COMMAND}` could not be run" in error.message


def test_plugin_refuses_two_servers_with_one_name() -> None:
    twice = [
        StatelessMCPServerProvider(lambda: stdio_server("Notebook", NOTEBOOK)),
        StatelessMCPServerProvider(lambda: stdio_server("Notebook", NOTEBOOK)),
    ]
    with pytest.raises(ValueError, match="Two MCP server providers are named 'Notebook'"):
        OpenAIAgentsPlugin(mcp_server_providers=twice)


def test_plugin_refuses_a_bare_factory() -> None:
    with pytest.raises(TypeError, match="StatelessMCPServerProvider"):
        OpenAIAgentsPlugin(mcp_server_providers=[lambda: stdio_server("Notebook", NOTEBOOK)])  # type: ignore[list-item]


def test_provider_refuses_a_factory_that_builds_something_else() -> None:
    with pytest.raises(TypeError, match="not an Agents SDK MCP server"):
        StatelessMCPServerProvider(lambda: "not a server")  # type: ignore[arg-type, return-value]
