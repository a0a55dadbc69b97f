"""Test helpers: scripted models, an app on a test worker, real local servers, histories.

The names load on first use (PEP 562), as the top level's do: a process that only starts a
local Temporal server (``uv run dev`` needs ``temporal_cli_path`` and
``dev_server_config_args``) does not import the Agents SDK, OpenAI's client and MCP for the
scripted models it never uses.
"""

from __future__ import annotations

# A private alias: this module's public names are exactly ``__all__`` (a test checks it).
import typing as _typing

from .._lazy import lazy_names as _lazy_names

if _typing.TYPE_CHECKING:
    from .._temporal_server import (
        DEV_SERVER_DYNAMIC_CONFIG,
        EXISTING_SERVER_ENV,
        dev_server_config_args,
        environment_for_tests,
        start_local_server,
        start_time_skipping_server,
        temporal_cli_path,
        temporal_test_server_path,
    )
    from ..offline import WordStreamingModel
    from ._apps import RunningApp, run_app
    from ._environment import AgentEnvironment
    from ._histories import WorkflowHistories
    from ._models import (
        ModelRequest,
        ResponseBuilders,
        TestModel,
        TestModelProvider,
    )
    from ._openai_server.server import (
        ErrorReply,
        HangReply,
        MalformedReply,
        OpenAICompatibleServer,
        RecordedRequest,
        Reply,
        Responder,
        StreamFailure,
        TextReply,
        ToolCall,
        ToolCallReply,
    )

__all__ = [  # noqa: RUF022 - plain sorted order, checked by test_public_api
    "AgentEnvironment",
    "DEV_SERVER_DYNAMIC_CONFIG",
    "EXISTING_SERVER_ENV",
    "ErrorReply",
    "HangReply",
    "MalformedReply",
    "ModelRequest",
    "OpenAICompatibleServer",
    "RecordedRequest",
    "Reply",
    "Responder",
    "ResponseBuilders",
    "RunningApp",
    "StreamFailure",
    "TestModel",
    "TestModelProvider",
    "TextReply",
    "ToolCall",
    "ToolCallReply",
    "WordStreamingModel",
    "WorkflowHistories",
    "dev_server_config_args",
    "environment_for_tests",
    "run_app",
    "start_local_server",
    "start_time_skipping_server",
    "temporal_cli_path",
    "temporal_test_server_path",
]

# Where each public name lives, relative to this package; must match the imports above (a test
# checks that every name in ``__all__`` resolves).
_HOMES: dict[str, str | None] = {
    "AgentEnvironment": "._environment",
    "DEV_SERVER_DYNAMIC_CONFIG": ".._temporal_server",
    "EXISTING_SERVER_ENV": ".._temporal_server",
    "ErrorReply": "._openai_server.server",
    "HangReply": "._openai_server.server",
    "MalformedReply": "._openai_server.server",
    "ModelRequest": "._models",
    "OpenAICompatibleServer": "._openai_server.server",
    "RecordedRequest": "._openai_server.server",
    "Reply": "._openai_server.server",
    "Responder": "._openai_server.server",
    "ResponseBuilders": "._models",
    "RunningApp": "._apps",
    "StreamFailure": "._openai_server.server",
    "TestModel": "._models",
    "TestModelProvider": "._models",
    "TextReply": "._openai_server.server",
    "ToolCall": "._openai_server.server",
    "ToolCallReply": "._openai_server.server",
    "WordStreamingModel": "..offline",
    "WorkflowHistories": "._histories",
    "dev_server_config_args": ".._temporal_server",
    "environment_for_tests": ".._temporal_server",
    "run_app": "._apps",
    "start_local_server": ".._temporal_server",
    "start_time_skipping_server": ".._temporal_server",
    "temporal_cli_path": ".._temporal_server",
    "temporal_test_server_path": ".._temporal_server",
}

__getattr__, __dir__ = _lazy_names(globals(), _HOMES)
