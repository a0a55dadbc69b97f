"""What workflow code uses: activity tools, MCP servers, conversations, approvals, sessions."""

from ._activity_tool import activity_as_tool
from ._approvals_types import ApprovalDecision, ApprovalRecord, PendingApproval
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
from ._usage import ModelCallUsage, UsageHooks, UsageReport, UsageTotals

__all__ = [
    "ApprovalDecision",
    "ApprovalRecord",
    "ConversationConfig",
    "ConversationInput",
    "ConversationStatus",
    "ConversationSummary",
    "ConversationWorkflow",
    "ModelCallUsage",
    "PendingApproval",
    "SendMessage",
    "TranscriptEntry",
    "TurnResult",
    "UsageHooks",
    "UsageReport",
    "UsageTotals",
    "WorkflowSession",
    "activity_as_tool",
    "stateful_mcp_server",
    "stateless_mcp_server",
]
