"""The console's backend: the service on its own event loop, callable from any thread."""

from __future__ import annotations

from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from agent_console._loop import BackgroundLoop
from agent_console._service import ConsoleService
from agent_stack.settings import Settings
from agents_temporal.apps import AgentApp

_T = TypeVar("_T")

CALL_TIMEOUT_SECONDS = 30.0
"""The longest a page waits for one backend call."""


class Console:
    """One per process and configuration: a `ConsoleService` on a `BackgroundLoop`.

    Streamlit script runs call `run` from their own threads; every Temporal call then happens
    on the one loop that owns the client.

    Args:
        settings: The console's settings.
        apps: The agent apps to show.
    """

    def __init__(self, settings: Settings, apps: Sequence[AgentApp]) -> None:
        self.settings = settings
        self.apps = list(apps)
        self.loop = BackgroundLoop()
        self.service = ConsoleService(settings, apps)

    def run(
        self, coroutine: Coroutine[Any, Any, _T], *, timeout: float = CALL_TIMEOUT_SECONDS
    ) -> _T:
        """Run a service coroutine on the loop and return its result (or raise its error)."""
        return self.loop.run(coroutine, timeout=timeout)

    def app(self, name: str | None) -> AgentApp:
        """The app called ``name``, or the first one."""
        return next((a for a in self.apps if a.name == name), self.apps[0])

    def close(self) -> None:
        """Stop the loop (the process is ending)."""
        self.loop.close()


def settings_fingerprint(settings: Settings) -> str:
    """What distinguishes one console configuration from another (never a secret)."""
    return "|".join(
        [
            settings.temporal_address,
            settings.temporal_namespace,
            settings.temporal_task_queue,
            settings.temporal_ui_url,
            settings.model_mode,
            settings.default_model,
            "tls" if settings.temporal_tls_enabled else "plain",
        ]
    )
