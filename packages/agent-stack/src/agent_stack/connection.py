"""Connecting to Temporal from any process of a deployment (worker, console, chat, scripts)."""

from agent_stack._connection import TemporalUnreachableError, connect, data_converter

__all__ = [  # noqa: RUF022 - plain sorted order, checked by test_public_api
    "TemporalUnreachableError",
    "connect",
    "data_converter",
]
