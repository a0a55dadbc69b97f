"""Tests: committed workflow histories, recorded on demand and replayed on every run."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.worker import Replayer

from .._plugin import OpenAIAgentsPlugin

_REGENERATE_HISTORIES = "REGENERATE_HISTORIES"


class WorkflowHistories:
    """The committed workflow histories in one directory, for replay tests.

    A test that runs a workflow ends with `save`: when ``REGENERATE_HISTORIES=1`` is set it
    writes the workflow's history as ``<name>.json``, otherwise it does nothing. Replay tests
    read only the committed files, so a change to workflow code that breaks determinism fails
    the test suite instead of the conversations that are running when it is deployed.

    Example:
        ```python
        HISTORIES = WorkflowHistories(Path(__file__).parent / "histories")


        async def test_hello(client: Client, task_queue: str) -> None:
            handle = await client.start_workflow(Hello.run, "hi", id="hello", task_queue=task_queue)
            await handle.result()
            await HISTORIES.save(handle, "hello_world")


        @pytest.mark.parametrize("path", HISTORIES.files("hello_"))
        async def test_replay(path: Path) -> None:
            await HISTORIES.replay(path, [Hello])
        ```

        Record with ``REGENERATE_HISTORIES=1 uv run pytest``, review and commit the files.

    Args:
        directory: Where the histories are committed; created by the first `save` that writes.
        regenerate: Whether `save` writes. By default it writes when ``REGENERATE_HISTORIES``
            is ``1`` at the time it is called.
    """

    def __init__(
        self, directory: str | os.PathLike[str], *, regenerate: bool | None = None
    ) -> None:
        self.directory = Path(directory)
        """Where the histories are committed."""
        self._regenerate = regenerate

    def __repr__(self) -> str:
        return f"WorkflowHistories({str(self.directory)!r})"

    @property
    def regenerating(self) -> bool:
        """Whether `save` writes histories now."""
        if self._regenerate is not None:
            return self._regenerate
        return os.environ.get(_REGENERATE_HISTORIES) == "1"

    def path(self, name: str) -> Path:
        """The file that holds the history called ``name``."""
        return self.directory / f"{name}.json"

    async def save(self, handle: WorkflowHandle[Any, Any], name: str) -> Path | None:
        """Write the workflow's history as ``<name>.json``, when regenerating.

        Args:
            handle: The workflow; its history is fetched from the server.
            name: The history's name, without ``.json``.

        Returns:
            The file written, or None when this run does not regenerate.
        """
        if not self.regenerating:
            return None
        text = (await handle.fetch_history()).to_json()
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def files(self, prefix: str = "") -> list[Path]:
        """The committed histories whose names start with ``prefix``, sorted by name."""
        return sorted(self.directory.glob(f"{prefix}*.json"))

    def load(self, history: str | Path) -> WorkflowHistory:
        """Read one committed history, ready to replay.

        Args:
            history: A file, as `files` returns them, or a name, as given to `save`.

        Raises:
            FileNotFoundError: The history was never recorded.
        """
        path = history if isinstance(history, Path) else self.path(history)
        return WorkflowHistory.from_json(path.stem, path.read_text())

    async def replay(
        self,
        history: str | Path | WorkflowHistory,
        workflows: Sequence[type],
        *,
        plugin: OpenAIAgentsPlugin | None = None,
    ) -> None:
        """Replay one committed history against today's workflow code.

        Args:
            history: A file, a name (see `load`), or a history already loaded.
            workflows: The workflow classes a worker would register.
            plugin: The plugin the workers run with, when its settings matter to the workflow
                (MCP server providers, for example); a default ``OpenAIAgentsPlugin()`` if
                None.

        Raises:
            temporalio.workflow.NondeterminismError: The code no longer makes the decisions
                the history recorded.
        """
        if not isinstance(history, WorkflowHistory):
            history = self.load(history)
        replayer = Replayer(workflows=workflows, plugins=[plugin or OpenAIAgentsPlugin()])
        await replayer.replay_workflow(history)
