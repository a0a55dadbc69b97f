"""Customer-support agents for an online store: triage, orders, refunds and FAQ specialists.

- ``app``: the agent app the worker and console discover (entry point ``durable_agents.apps``).
- ``SupportSettings``: the app's own settings (DATABASE_URL, the refund limits, the help-centre
  switch), which the worker loads and hands to ``store_activities`` and the MCP server.
- ``SupportConversation``: the conversation workflow, built on
  ``agents_temporal.workflow.ConversationWorkflow``.
- ``build_agents``: the agent graph (triage hands off to specialists, each can hand back).
- ``OfflineSupportModelProvider``: the offline demo model, so the stack runs with no API key.
"""

from support_agents._agents import FAQ, ORDERS, REFUNDS, TRIAGE, build_agents
from support_agents._app import app, store_activities
from support_agents._offline_model import (
    OFFLINE_RESPONSE_PREFIX,
    OfflineSupportModel,
    OfflineSupportModelProvider,
)
from support_agents._policy import RefundPolicy
from support_agents._settings import SupportSettings
from support_agents._workflow import SUPPORT_WORKFLOW_NAME, SupportConversation

__all__ = [  # noqa: RUF022 - plain sorted order
    "FAQ",
    "OFFLINE_RESPONSE_PREFIX",
    "ORDERS",
    "OfflineSupportModel",
    "OfflineSupportModelProvider",
    "REFUNDS",
    "RefundPolicy",
    "SUPPORT_WORKFLOW_NAME",
    "SupportConversation",
    "SupportSettings",
    "TRIAGE",
    "app",
    "build_agents",
    "store_activities",
]
