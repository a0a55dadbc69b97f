"""Connecting to Temporal from any process of a deployment (worker, console, chat, scripts)."""

from agent_worker._connect import TemporalUnreachableError, connect, data_converter

__all__ = ["TemporalUnreachableError", "connect", "data_converter"]
