"""Workflows that use MCP servers (in their own module: the sandbox re-imports it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from agents import Agent, Runner
from agents.mcp import MCPServer, ToolFilterContext
from mcp.types import CallToolResult, TextContent, Tool
from temporalio import workflow
from temporalio.exceptions import ApplicationError

import agents_temporal as openai_agents
from agents_temporal.workflow import (
    stateful_mcp_server,
    stateless_mcp_server,
    temporal_mcp_server,
)


def text_of(result: CallToolResult) -> str:
    return "".join(part.text for part in result.content if isinstance(part, TextContent))


# The specification's "MCP Support" example, with only the import path changed.
@workflow.defn
class FileSystemWorkflow:
    @workflow.run
    async def run(self, query: str) -> str:
        # Reference the MCP server by name (matches name in worker configuration)
        server = openai_agents.workflow.stateless_mcp_server("FileSystemServer")

        agent = Agent(
            name="File Assistant",
            instructions="Use the filesystem tools to read files and answer questions.",
            mcp_servers=[server],
        )

        result = await Runner.run(agent, input=query)
        return result.final_output


@dataclass
class NotebookQuestion:
    server: str
    question: str
    cache_tools_list: bool = False


@dataclass
class NotebookAnswer:
    answer: str
    prompts: list[str]
    prompt_text: str


async def ask_notebook(server: MCPServer, question: str) -> NotebookAnswer:
    """Let an agent answer ``question`` with the server's tools, then read its prompts directly."""
    agent = Agent(name="Calculator", instructions="Use the tools.", mcp_servers=[server])
    result = await Runner.run(agent, input=question)
    prompts = await server.list_prompts()
    prompt = await server.get_prompt("summarize", {"topic": "durable agents"})
    content = prompt.messages[0].content
    return NotebookAnswer(
        answer=result.final_output,
        prompts=[p.name for p in prompts.prompts],
        prompt_text=content.text if isinstance(content, TextContent) else "",
    )


@workflow.defn
class NotebookWorkflow:
    """An agent that uses a stateless server's tools, then the server's prompts directly."""

    @workflow.run
    async def run(self, request: NotebookQuestion) -> NotebookAnswer:
        server = stateless_mcp_server(request.server, cache_tools_list=request.cache_tools_list)
        return await ask_notebook(server, request.question)


@dataclass
class PromptRequest:
    server: str
    prompt: str


@workflow.defn
class PromptWorkflow:
    @workflow.run
    async def run(self, request: PromptRequest) -> int:
        prompt = await stateless_mcp_server(request.server).get_prompt(request.prompt)
        return len(prompt.messages)


@dataclass
class ApprovalOutcome:
    pending: list[str]
    needs_approval: dict[str, bool]
    final_output: str | None


@workflow.defn
class ApprovalWorkflow:
    """Runs until the agent calls a tool that needs approval, and reports what is pending."""

    @workflow.run
    async def run(self, server_name: str) -> ApprovalOutcome:
        server = stateless_mcp_server(server_name, cache_tools_list=True)
        agent = Agent(name="Archivist", instructions="Tidy the notes.", mcp_servers=[server])
        result = await Runner.run(agent, input="Erase every note.")
        tools = await agent.get_mcp_tools(result.context_wrapper)
        return ApprovalOutcome(
            pending=[item.tool_name or "" for item in result.interruptions],
            needs_approval={
                tool.name: getattr(tool, "needs_approval", None) is True for tool in tools
            },
            final_output=result.final_output if not result.interruptions else None,
        )


@workflow.defn
class StatefulNotebookWorkflow:
    """One session: the agent keeps a note, and the same session recalls it afterwards."""

    @workflow.run
    async def run(self, note: str) -> str:
        async with stateful_mcp_server("StatefulNotebook", cache_tools_list=True) as server:
            agent = Agent(name="Scribe", instructions="Keep notes.", mcp_servers=[server])
            await Runner.run(agent, input=f"Please remember: {note}")
            return text_of(await server.call_tool("recall", {}))


@dataclass
class RecoveryReport:
    failure_type: str | None = None
    failure_message: str = ""
    recalled_after_recovery: str = ""
    notes_before_failure: list[str] = field(default_factory=list[str])


@workflow.defn
class SessionRecoveryWorkflow:
    """Keeps a note, waits to be told to go on, and recovers if the session died meanwhile."""

    def __init__(self) -> None:
        self._go_on = False
        self._remembered = False

    @workflow.signal
    def go_on(self) -> None:
        self._go_on = True

    @workflow.query
    def remembered(self) -> bool:
        return self._remembered

    @workflow.run
    async def run(self, heartbeat_seconds: float) -> RecoveryReport:
        session_config: workflow.ActivityConfig = {
            "heartbeat_timeout": timedelta(seconds=heartbeat_seconds)
        }
        report = RecoveryReport()
        try:
            async with stateful_mcp_server(
                "StatefulNotebook", server_session_config=session_config, cache_tools_list=True
            ) as server:
                agent = Agent(name="Scribe", instructions="Keep notes.", mcp_servers=[server])
                await Runner.run(agent, input="Please remember: the vault code is 1234")
                self._remembered = True
                await workflow.wait_condition(lambda: self._go_on)
                # The tool list is cached, so this run's first request to the server is the
                # model's tool call: the failure must come through the agent's tool handling.
                result = await Runner.run(agent, input="What do you remember?")
                report.notes_before_failure.append(result.final_output)
                return report
        except ApplicationError as error:
            if error.type != "DedicatedWorkerFailure":
                raise
            report.failure_type = error.type
            report.failure_message = error.message
        # The application decides how to recover: here, a new session that starts over.
        async with stateful_mcp_server(
            "StatefulNotebook", server_session_config=session_config
        ) as server:
            report.recalled_after_recovery = text_of(await server.call_tool("recall", {}))
        return report


@dataclass
class MisuseRequest:
    server: str
    kind: Literal["stateless", "stateful"]


@workflow.defn
class ListToolsWorkflow:
    """Lists a server's tools, statelessly or in a session: for the error tests."""

    @workflow.run
    async def run(self, request: MisuseRequest) -> list[str]:
        if request.kind == "stateless":
            agent = Agent(name="Lister", mcp_servers=[stateless_mcp_server(request.server)])
            await Runner.run(agent, input="What can you do?")
            return []
        async with stateful_mcp_server(request.server) as server:
            return [tool.name for tool in await server.list_tools()]


@dataclass
class CurrentFormQuestion:
    """For the current form: ``temporal_mcp_server`` over ``mcp_servers``."""

    server: str
    question: str
    cache_tools_list: bool = True
    factory_argument: Any = None
    blocked_tools: list[str] = field(default_factory=list[str])
    only_tools_starting_with: str | None = None


@workflow.defn
class CurrentFormWorkflow:
    """An agent that uses a server's tools, then its prompts directly, in the current form."""

    @workflow.run
    async def run(self, request: CurrentFormQuestion) -> NotebookAnswer:
        options: dict[str, Any] = {}
        if request.blocked_tools:
            options["tool_filter"] = {"blocked_tool_names": request.blocked_tools}
        elif (prefix := request.only_tools_starting_with) is not None:

            def starts_with_prefix(_context: ToolFilterContext, tool: Tool) -> bool:
                return tool.name.startswith(prefix)

            options["tool_filter"] = starts_with_prefix
        server = temporal_mcp_server(
            request.server,
            cache_tools_list=request.cache_tools_list,
            factory_argument=request.factory_argument,
            **options,
        )
        return await ask_notebook(server, request.question)


@dataclass
class LegacyRequest:
    server: str
    kind: Literal["stateless", "stateful"]
    argument: str


@workflow.defn
class LegacyFactoryArgumentWorkflow:
    """The session-era API with a factory argument, statelessly or in a session."""

    @workflow.run
    async def run(self, request: LegacyRequest) -> str:
        argument = request.argument
        if request.kind == "stateless":
            server = stateless_mcp_server(request.server, factory_argument={"user": argument})
            return text_of(await server.call_tool("add", {"a": 1, "b": 2}))
        async with stateful_mcp_server(
            request.server, factory_argument={"user": argument}
        ) as server:
            await server.call_tool("remember", {"note": argument})
            return text_of(await server.call_tool("recall", {}))


WORKFLOWS = [
    FileSystemWorkflow,
    NotebookWorkflow,
    PromptWorkflow,
    ApprovalWorkflow,
    StatefulNotebookWorkflow,
    SessionRecoveryWorkflow,
    ListToolsWorkflow,
    CurrentFormWorkflow,
    LegacyFactoryArgumentWorkflow,
]
