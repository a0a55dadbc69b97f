"""Run OpenAI Agents SDK agents durably inside Temporal workflows.

The public API follows the published OpenAI Agents SDK integration for Temporal, so code
written for it runs here with only the import path changed.
"""

from . import workflow
from ._errors import AgentsWorkflowError
from ._mcp.providers import StatefulMCPServerProvider, StatelessMCPServerProvider
from ._model.providers import DefaultModelProvider
from ._params import ModelActivityParameters
from ._payloads.codec import EncryptionCodec, PayloadDecryptionError
from ._payloads.converter import AgentsPayloadConverter, OpenAIPayloadConverter
from ._payloads.data_converter import build_data_converter
from ._payloads.s3 import S3StorageDriver
from ._payloads.storage import (
    BlobStorageDriver,
    LocalStorageDriver,
    PayloadNotFoundError,
    PayloadStoreError,
)
from ._plugin import OpenAIAgentsPlugin

__all__ = [
    "AgentsPayloadConverter",
    "AgentsWorkflowError",
    "BlobStorageDriver",
    "DefaultModelProvider",
    "EncryptionCodec",
    "LocalStorageDriver",
    "ModelActivityParameters",
    "OpenAIAgentsPlugin",
    "OpenAIPayloadConverter",
    "PayloadDecryptionError",
    "PayloadNotFoundError",
    "PayloadStoreError",
    "S3StorageDriver",
    "StatefulMCPServerProvider",
    "StatelessMCPServerProvider",
    "build_data_converter",
    "workflow",
]
