"""Run OpenAI Agents SDK agents durably inside Temporal workflows.

The public API follows the published OpenAI Agents SDK integration for Temporal, so code
written for it runs here with only the import path changed.
"""

from . import workflow
from ._codec import EncryptionCodec, PayloadDecryptionError
from ._converter import AgentsPayloadConverter
from ._errors import AgentsWorkflowError
from ._mcp_providers import StatefulMCPServerProvider, StatelessMCPServerProvider
from ._params import ModelActivityParameters
from ._plugin import OpenAIAgentsPlugin
from ._providers import DefaultModelProvider
from ._storage import (
    BlobStorageDriver,
    LocalStorageDriver,
    PayloadNotFoundError,
    PayloadStoreError,
)
from ._storage_converter import build_data_converter
from ._storage_s3 import S3StorageDriver

__all__ = [
    "AgentsPayloadConverter",
    "AgentsWorkflowError",
    "BlobStorageDriver",
    "DefaultModelProvider",
    "EncryptionCodec",
    "LocalStorageDriver",
    "ModelActivityParameters",
    "OpenAIAgentsPlugin",
    "PayloadDecryptionError",
    "PayloadNotFoundError",
    "PayloadStoreError",
    "S3StorageDriver",
    "StatefulMCPServerProvider",
    "StatelessMCPServerProvider",
    "build_data_converter",
    "workflow",
]
