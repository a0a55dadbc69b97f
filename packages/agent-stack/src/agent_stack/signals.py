"""Stopping long-running commands (worker, dev stack) cleanly on SIGTERM and SIGINT."""

from agent_stack._signals import stop_on_signals

__all__ = [
    "stop_on_signals",
]
