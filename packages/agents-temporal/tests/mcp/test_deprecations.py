"""The session-era MCP API: deprecated as in the published integration, and still working.

Its providers take ``(name, server_factory)`` as the published ones do, or the older
``(factory)``; a factory may take the workflow's ``factory_argument``.
"""

from __future__ import annotations

from typing import Any, Literal

import pytest
from agents.mcp import MCPServer
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from agents_temporal import (
    OpenAIAgentsPlugin,
    StatefulMCPServerProvider,
    StatelessMCPServerProvider,
)
from agents_temporal.workflow import stateful_mcp_server, stateless_mcp_server
from tests.mcp.support import NOTEBOOK, agent_worker, start, stdio_server
from tests.mcp.workflows import LegacyFactoryArgumentWorkflow, LegacyRequest


def unused() -> MCPServer:
    raise AssertionError("never built")


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda: StatelessMCPServerProvider("a", unused), "StatelessMCPServerProvider"),
        (lambda: StatefulMCPServerProvider("b", unused), "StatefulMCPServerProvider"),
        (lambda: stateless_mcp_server("a"), "stateless_mcp_server"),
        (lambda: stateful_mcp_server("b"), "stateful_mcp_server"),
    ],
    ids=["stateless-provider", "stateful-provider", "stateless-server", "stateful-server"],
)
def test_each_session_era_name_warns(make: Any, named: str) -> None:
    with pytest.warns(DeprecationWarning, match=named) as caught:
        make()
    assert "mcp_servers={name: factory}" in str(caught[0].message)
    assert "temporal_mcp_server(name)" in str(caught[0].message)


def test_the_plugin_warns_about_mcp_server_providers() -> None:
    provider = StatelessMCPServerProvider("a", unused)
    with pytest.warns(DeprecationWarning, match="mcp_server_providers"):
        OpenAIAgentsPlugin(mcp_server_providers=[provider])


def test_the_older_one_argument_form_takes_the_servers_name() -> None:
    provider = StatelessMCPServerProvider(lambda: stdio_server("Notebook", NOTEBOOK))
    assert provider.name == "Notebook"


class Recorder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.arguments: list[Any] = []

    def __call__(self, argument: Any) -> MCPServer:
        self.arguments.append(argument)
        return stdio_server(self.name, NOTEBOOK)


@pytest.mark.parametrize("kind", ["stateless", "stateful"])
async def test_factory_argument_reaches_the_factory(
    kind: Literal["stateless", "stateful"], temporal_client: Client, task_queue: str
) -> None:
    factory = Recorder("Notebook")
    provider = (
        StatelessMCPServerProvider("Notebook", factory)
        if kind == "stateless"
        else StatefulMCPServerProvider("Notebook", factory)
    )
    request = LegacyRequest(server="Notebook", kind=kind, argument="ada")
    async with agent_worker(temporal_client, task_queue, [provider]) as client:
        handle = await start(client, LegacyFactoryArgumentWorkflow.run, request, task_queue)
        result = await handle.result()
    assert factory.arguments == [{"user": "ada"}]
    if kind == "stateless":
        assert result == "3"
    else:
        assert result == "ada"
        assert isinstance(provider, StatefulMCPServerProvider)
        assert provider._servers == {}  # pyright: ignore[reportPrivateUsage]


async def test_stateful_server_no_worker_serves_fails_as_published_and_says_why(
    temporal_client: Client, task_queue: str
) -> None:
    provider = StatefulMCPServerProvider("Notebook", Recorder("Notebook"))
    request = LegacyRequest(server="Notbook", kind="stateful", argument="x")
    async with agent_worker(temporal_client, task_queue, [provider]) as client:
        handle = await start(client, LegacyFactoryArgumentWorkflow.run, request, task_queue)
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
    error = failed.value.cause
    assert isinstance(error, ApplicationError)
    assert error.message == "MCP Stateful Server Worker failed to schedule activity."
    assert error.type == "DedicatedWorkerFailure"
    assert isinstance(error.cause, ApplicationError)
    assert "No MCP server named 'Notbook'" in error.cause.message
    assert "(registered: 'Notebook')" in error.cause.message
