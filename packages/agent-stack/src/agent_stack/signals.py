"""Stopping long-running commands (worker, dev stack) cleanly on SIGTERM and SIGINT."""

from agent_stack._signals import stop_on_signals

__all__ = [  # noqa: RUF022 - plain sorted order, checked by test_public_api
    "stop_on_signals",
]
