"""Test helpers: scripted models, an app on a test worker, real local servers, histories."""

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
