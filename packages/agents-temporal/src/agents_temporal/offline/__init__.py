"""Offline models: rule-based models that play an app's agents with no API key.

An agent app ships one so that the stack runs, and the app's tests pass, with no model key
(`AgentApp.offline_model_provider`). Subclass `OfflineModel`, implement ``respond`` over an
`OfflineTurn` (which agent calls, the newest user message, this turn's tool results), and answer
with ``say``, ``call_tool`` or ``hand_off``. Every response id starts with
`OFFLINE_RESPONSE_PREFIX`, which the console uses to say that the offline model answered.

These models run in the model activity, on the worker (activity side).
"""

from ._model import OFFLINE_RESPONSE_PREFIX, OfflineModel, OfflineModelProvider, estimate_usage
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
