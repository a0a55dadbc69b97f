"""Both sides: the mark of an offline model's responses (no Agents SDK, so clients can read it)."""

OFFLINE_RESPONSE_PREFIX = "offline-demo"
"""Every response of an offline model has a ``response_id`` starting with this.

The console reads it from a conversation's history to say that no real model answered.
"""
