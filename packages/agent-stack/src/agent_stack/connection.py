"""Connecting to Temporal from any process of a deployment (worker, console, chat, scripts)."""

from agent_stack._connection import TemporalUnreachableError, connect, data_converter

__all__ = [
    "TemporalUnreachableError",
    "connect",
    "data_converter",
]
