"""What client code uses to talk to conversation workflows: a typed handle and its data."""

from ._conversation.approval_types import (
    ApprovalContext,
    ApprovalDecision,
    ApprovalRecord,
    PendingApproval,
)
from ._conversation.client import ConversationHandle, ConversationRefused
from ._conversation.types import (
    ConversationConfig,
    ConversationInput,
    ConversationStatus,
    ConversationSummary,
    RefusalReason,
    SendMessage,
    StopTurn,
    TranscriptEntry,
    TurnResult,
)
from ._conversation.usage_types import ModelCallUsage, UsageReport, UsageTotals

__all__ = [
    "ApprovalContext",
    "ApprovalDecision",
    "ApprovalRecord",
    "ConversationConfig",
    "ConversationHandle",
    "ConversationInput",
    "ConversationRefused",
    "ConversationStatus",
    "ConversationSummary",
    "ModelCallUsage",
    "PendingApproval",
    "RefusalReason",
    "SendMessage",
    "StopTurn",
    "TranscriptEntry",
    "TurnResult",
    "UsageReport",
    "UsageTotals",
]
