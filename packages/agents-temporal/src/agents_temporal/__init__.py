"""Run OpenAI Agents SDK agents durably inside Temporal workflows.

The public API follows the published OpenAI Agents SDK integration for Temporal, so code
written for it runs here with only the import path changed.
"""

from . import workflow
from ._converter import AgentsPayloadConverter
from ._errors import AgentsWorkflowError
from ._mcp_providers import StatefulMCPServerProvider, StatelessMCPServerProvider
from ._params import ModelActivityParameters
from ._plugin import OpenAIAgentsPlugin
from ._providers import DefaultModelProvider

__all__ = [
    "AgentsPayloadConverter",
    "AgentsWorkflowError",
    "DefaultModelProvider",
    "ModelActivityParameters",
    "OpenAIAgentsPlugin",
    "StatefulMCPServerProvider",
    "StatelessMCPServerProvider",
    "workflow",
]
