"""The library README's examples run as written: the hello world end to end, the test example."""

from __future__ import annotations

import asyncio
import importlib
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from agents_temporal.testing import OpenAICompatibleServer, TextReply

README = Path(__file__).parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


@pytest.fixture
def hello(tmp_path: Path) -> Iterator[tuple[Path, ModuleType]]:
    """The README's first example as a module of its own, importable by the workflow sandbox."""
    script = tmp_path / "readme_hello.py"
    script.write_text(python_blocks()[0])
    sys.path.insert(0, str(tmp_path))
    try:
        yield script, importlib.import_module("readme_hello")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("readme_hello", None)


def test_the_readme_has_the_examples_this_test_runs() -> None:
    blocks = python_blocks()
    assert len(blocks) == 3
    assert "class HelloWorldAgent" in blocks[0]
    assert "async def test_" in blocks[1]
    # The sandbox example runs in tests/sandbox/test_readme_sandbox.py.
    assert "class RepoAgent" in blocks[2]


async def test_hello_world_runs_as_a_script(
    hello: tuple[Path, ModuleType], temporal_env: WorkflowEnvironment
) -> None:
    script, _ = hello
    with OpenAICompatibleServer() as server:
        server.enqueue(
            TextReply("Code that calls\nitself until the base case\nreturns, then unwinds")
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(script),
            env={
                **os.environ,
                "TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
                "OPENAI_API_KEY": "sk-test",
                "OPENAI_BASE_URL": server.base_url,
                "OPENAI_AGENTS_DISABLE_TRACING": "1",
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=90)
    assert process.returncode == 0, err.decode()
    assert "itself until the base case" in out.decode()
    assert "You only respond in haikus." in str(server.requests[0].body_json)


async def test_the_testing_example_passes(
    hello: tuple[Path, ModuleType], temporal_client: Client, task_queue: str
) -> None:
    _, module = hello
    namespace: dict[str, Any] = {"HelloWorldAgent": module.HelloWorldAgent}
    exec(python_blocks()[1], namespace)
    await namespace["test_hello_answers_in_haiku"](temporal_client, task_queue)
