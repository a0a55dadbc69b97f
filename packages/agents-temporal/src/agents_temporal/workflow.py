"""What workflow code uses: activity tools, MCP servers, conversations, approvals, sessions."""

from ._conversation.approval_types import (
    ApprovalContext,
    ApprovalDecision,
    ApprovalRecord,
    PendingApproval,
)
from ._conversation.compaction import CompactionResult, ConversationCompactor
from ._conversation.session import WorkflowSession
from ._conversation.types import (
    ConversationConfig,
    ConversationInput,
    ConversationStatus,
    ConversationSummary,
    SendMessage,
    StopTurn,
    TranscriptEntry,
    TurnResult,
)
from ._conversation.usage import UsageHooks
from ._conversation.usage_types import ModelCallUsage, UsageReport, UsageTotals
from ._conversation.workflow import ConversationWorkflow
from ._errors import AgentsWorkflowError, ToolSerializationError
from ._mcp.temporal_server import temporal_mcp_server
from ._mcp.workflow_servers import stateful_mcp_server, stateless_mcp_server
from ._model.activity_tool import activity_as_tool
from ._model.nexus_tool import nexus_operation_as_tool
from ._payloads.workflow_refs import reference_stored_items
from ._streaming.log import StreamEventLog
from ._streaming.types import StreamLogState
from ._workflow_context import registered_mcp_servers
from .sandbox._workflow_client import temporal_sandbox_client

__all__ = [
    "AgentsWorkflowError",
    "ApprovalContext",
    "ApprovalDecision",
    "ApprovalRecord",
    "CompactionResult",
    "ConversationCompactor",
    "ConversationConfig",
    "ConversationInput",
    "ConversationStatus",
    "ConversationSummary",
    "ConversationWorkflow",
    "ModelCallUsage",
    "PendingApproval",
    "SendMessage",
    "StopTurn",
    "StreamEventLog",
    "StreamLogState",
    "ToolSerializationError",
    "TranscriptEntry",
    "TurnResult",
    "UsageHooks",
    "UsageReport",
    "UsageTotals",
    "WorkflowSession",
    "activity_as_tool",
    "nexus_operation_as_tool",
    "reference_stored_items",
    "registered_mcp_servers",
    "stateful_mcp_server",
    "stateless_mcp_server",
    "temporal_mcp_server",
    "temporal_sandbox_client",
]
