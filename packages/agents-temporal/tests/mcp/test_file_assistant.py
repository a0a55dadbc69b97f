"""The specification's file assistant, on the npm filesystem MCP server (run through npx)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from agents import ModelResponse
from temporalio.client import Client

from agents_temporal.testing import ModelRequest, ResponseBuilders, TestModel
from tests.mcp.support import (
    activity_types,
    agent_worker,
    notebook_providers,
    save_history_if_regenerating,
    start,
)
from tests.mcp.workflows import FileSystemWorkflow

pytestmark = pytest.mark.skipif(
    shutil.which("npx") is None,
    reason="npx (Node.js) is not installed; the npm filesystem MCP server runs through it",
)


def make_files(tmp_path: Path) -> Path:
    # The server resolves symlinks in the directories it may serve; so must the paths we give.
    files = tmp_path.resolve() / "files"
    files.mkdir()
    (files / "todo.txt").write_text("1. renew the passport\n2. water the plants\n")
    (files / "recipes.md").write_text("# Pancakes\n")
    return files


async def test_file_assistant_answers_from_the_files(
    temporal_client: Client, task_queue: str, tmp_path: Path
) -> None:
    files = make_files(tmp_path)

    def respond(request: ModelRequest) -> ModelResponse:
        outputs = request.tool_outputs()
        if not outputs:
            assert {"list_directory", "read_text_file"} <= {t.name for t in request.tools}
            return ResponseBuilders.tool_call(json.dumps({"path": str(files)}), "list_directory")
        if len(outputs) == 1:
            assert "todo.txt" in outputs[0]
            todo = json.dumps({"path": str(files / "todo.txt")})
            return ResponseBuilders.tool_call(todo, "read_text_file")
        return ResponseBuilders.output_message(f"Your todo list: {outputs[1]}")

    model = TestModel(respond)
    providers = notebook_providers(files_dir=str(files))
    async with agent_worker(temporal_client, task_queue, providers, model) as client:
        handle = await start(client, FileSystemWorkflow.run, "What is on my todo list?", task_queue)
        answer = await handle.result()
    assert answer.startswith("Your todo list:")
    assert "renew the passport" in answer
    assert "water the plants" in answer
    types = await activity_types(handle)
    assert types.count("agents_temporal.mcp.FileSystemServer.call_tool") == 2
    await save_history_if_regenerating("mcp_file_assistant", handle)
