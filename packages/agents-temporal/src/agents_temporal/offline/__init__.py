"""Offline models: rule-based models that play an app's agents with no API key.

An agent app ships one so that the stack runs, and the app's tests pass, with no model key
(`AgentApp.offline_model_provider`). Subclass `OfflineModel`, implement ``respond`` over an
`OfflineTurn` (which agent calls, the newest user message, this turn's tool results), and answer
with ``say``, ``call_tool`` or ``hand_off``. Every response id starts with
`OFFLINE_RESPONSE_PREFIX`, which the console uses to say that the offline model answered.

These models run in the model activity, on the worker (activity side). Only
`OFFLINE_RESPONSE_PREFIX` is loaded with this module; the other names load on first use, so that
a client reading the prefix does not import the Agents SDK.
"""

from __future__ import annotations

# A private alias: this module's public names are exactly ``__all__`` (a test checks it).
import typing as _typing

from .._lazy import lazy_names as _lazy_names
from ._prefix import OFFLINE_RESPONSE_PREFIX

if _typing.TYPE_CHECKING:
    from ._model import OfflineModel, OfflineModelProvider, estimate_usage
    from ._streaming import WordStreamingModel, word_stream_events
    from ._turn import HANDOFF_TOOL_PREFIX, OfflineTurn, json_object, message_text, output_text

__all__ = [
    "HANDOFF_TOOL_PREFIX",
    "OFFLINE_RESPONSE_PREFIX",
    "OfflineModel",
    "OfflineModelProvider",
    "OfflineTurn",
    "WordStreamingModel",
    "estimate_usage",
    "json_object",
    "message_text",
    "output_text",
    "word_stream_events",
]

__getattr__, __dir__ = _lazy_names(
    globals(),
    {
        "HANDOFF_TOOL_PREFIX": "._turn",
        "OfflineModel": "._model",
        "OfflineModelProvider": "._model",
        "OfflineTurn": "._turn",
        "WordStreamingModel": "._streaming",
        "estimate_usage": "._model",
        "json_object": "._turn",
        "message_text": "._turn",
        "output_text": "._turn",
        "word_stream_events": "._streaming",
    },
)
