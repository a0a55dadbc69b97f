"""The library README's sandbox example runs as written, on the real unix_local backend."""

from __future__ import annotations

import importlib
import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.testing import TestModelProvider
from tests.sandbox.support import scripted

README = Path(__file__).parents[2] / "README.md"


@pytest.fixture
def example(tmp_path: Path) -> Iterator[ModuleType]:
    """The README's sandbox block as a module of its own, importable by the workflow sandbox."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    (block,) = [b for b in blocks if "class RepoAgent" in b]
    (tmp_path / "readme_sandbox.py").write_text(block)
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("readme_sandbox")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("readme_sandbox", None)


async def test_the_readme_sandbox_agent_runs(
    example: ModuleType, temporal_client: Client, task_queue: str
) -> None:
    readme_plugin: OpenAIAgentsPlugin = example.plugin
    model = scripted("echo the README example works > proof.txt", "cat proof.txt")
    # The README's plugin, with a scripted model in place of OpenAI.
    agents_plugin = OpenAIAgentsPlugin(
        model_provider=TestModelProvider(model), sandbox_clients=readme_plugin.sandbox_clients
    )
    config = temporal_client.config()
    config["plugins"] = [agents_plugin]
    client = Client(**config)
    async with Worker(client, task_queue=task_queue, workflows=[example.RepoAgent]):
        answer = await client.execute_workflow(
            example.RepoAgent.run,
            "Prove it",
            id=f"readme-sandbox-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=task_queue,
        )
    assert answer == "done"
    assert "the README example works" in model.requests[-1].tool_outputs()[-1]
