"""A real worker process (the ``worker`` command) for console tests, serving the test desk.

Worker and page both run the neutral test app (``stack_testapp``, named by AGENT_APP_OBJECTS),
not whichever apps are installed, so these tests do not depend on the example domain.

The worker runs in a process of its own, as it does in production. In this process, AppTest
runs the page synchronously and Streamlit's script threads compete for the GIL; a worker here
would see its workflow activations stall past Temporal's two-second deadlock detector.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from agent_stack.settings import Settings
from stack_testapp import REFERENCE

APP_SCRIPT = Path(__file__).parents[1] / "src" / "agent_console" / "app.py"
OPERATOR = "ops@example.com"
WORKER = Path(sys.executable).with_name("worker")


@dataclass
class ConsoleStack:
    address: str
    task_queue: str
    data: Path
    """The payload store, shared by the worker and the console."""

    @property
    def payload_dir(self) -> Path:
        return self.data / "payloads"

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "TEMPORAL_ADDRESS": self.address,
            "TEMPORAL_TASK_QUEUE": self.task_queue,
            "OPENAI_API_KEY": None,
            "MODEL": None,
            "CONSOLE_OPERATOR": OPERATOR,
            "PAYLOAD_STORAGE_DIR": self.payload_dir,
            "AGENT_APP_OBJECTS": REFERENCE,
            "_env_file": None,
        }
        values.update(overrides)
        return Settings(**values)


@contextlib.contextmanager
def worker_process(stack: ConsoleStack, data: Path) -> Generator[None]:
    """The ``worker`` command serving the stack's task queue, from polling until SIGTERM."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "MODEL")}
    env.update(
        TEMPORAL_ADDRESS=stack.address,
        TEMPORAL_TASK_QUEUE=stack.task_queue,
        AGENT_APP_OBJECTS=REFERENCE,
        PAYLOAD_STORAGE_DIR=str(stack.payload_dir),
        PYTHONUNBUFFERED="1",
    )
    with subprocess.Popen(
        [str(WORKER)],
        env=env,
        cwd=data,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as worker:
        stdout = worker.stdout
        assert stdout is not None
        output: list[str] = []
        polling = threading.Event()

        def drain() -> None:
            # Reads for the worker's whole life, so that its pipe never fills up.
            for line in stdout:
                output.append(line)
                if "polling for tasks" in line:
                    polling.set()

        reader = threading.Thread(target=drain, name="console-test-worker", daemon=True)
        reader.start()
        try:
            assert polling.wait(timeout=120), "the worker never polled:\n" + "".join(output)
            yield
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            reader.join(timeout=10)


@pytest.fixture(scope="session")
def console_stack(
    temporal_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConsoleStack]:
    address = temporal_env.client.service_client.config.target_host
    data = tmp_path_factory.mktemp("console")
    queue = f"console-{uuid.uuid4().hex[:10]}"  # noqa: TID251 - test ids
    stack = ConsoleStack(address, queue, data)
    with worker_process(stack, data):
        yield stack


@pytest.fixture
def console_env(console_stack: ConsoleStack, monkeypatch: pytest.MonkeyPatch) -> ConsoleStack:
    """The environment the console page reads its settings from."""
    for name in ("OPENAI_API_KEY", "MODEL", "CONSOLE_ACCESS_TOKEN", "TEMPORAL_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TEMPORAL_ADDRESS", console_stack.address)
    monkeypatch.setenv("TEMPORAL_TASK_QUEUE", console_stack.task_queue)
    monkeypatch.setenv("TEMPORAL_UI_URL", "http://ui.example:8233")
    monkeypatch.setenv("CONSOLE_OPERATOR", OPERATOR)
    monkeypatch.setenv("PAYLOAD_STORAGE_DIR", str(console_stack.payload_dir))
    monkeypatch.setenv("AGENT_APP_OBJECTS", REFERENCE)
    return console_stack
