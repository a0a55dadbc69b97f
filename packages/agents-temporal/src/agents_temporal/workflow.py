"""What workflow code uses: activity tools, MCP servers, conversations, approvals, sessions."""

from ._activity_tool import activity_as_tool
from ._approvals_types import ApprovalDecision, ApprovalRecord, PendingApproval
from ._compaction import CompactionResult, ConversationCompactor
from ._conversation import ConversationWorkflow
from ._conversation_types import (
    ConversationConfig,
    ConversationInput,
    ConversationStatus,
    ConversationSummary,
    SendMessage,
    TranscriptEntry,
    TurnResult,
)
from ._mcp_workflow import stateful_mcp_server, stateless_mcp_server
from ._session import WorkflowSession
from ._storage_refs import reference_stored_items
from ._streaming_log import StreamEventLog
from ._streaming_types import StreamLogState
from ._usage import ModelCallUsage, UsageHooks, UsageReport, UsageTotals
from ._workflow_context import registered_mcp_servers

__all__ = [
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
    "StreamEventLog",
    "StreamLogState",
    "TranscriptEntry",
    "TurnResult",
    "UsageHooks",
    "UsageReport",
    "UsageTotals",
    "WorkflowSession",
    "activity_as_tool",
    "reference_stored_items",
    "registered_mcp_servers",
    "stateful_mcp_server",
    "stateless_mcp_server",
]
