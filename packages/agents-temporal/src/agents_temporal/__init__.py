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
from ._temporal_worker_env_ref import (
    AllowAllWorkerEnvVars,
    TemporalWorkerEnvValue,
    temporal_worker_env_ref,
)
from ._tracing.redaction import RedactingFormatter
from .sandbox._provider import SandboxClientProvider

__all__ = [
    "AgentsPayloadConverter",
    "AgentsWorkflowError",
    "AllowAllWorkerEnvVars",
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
    "RedactingFormatter",
    "S3StorageDriver",
    "SandboxClientProvider",
    "StatefulMCPServerProvider",
    "StatelessMCPServerProvider",
    "TemporalWorkerEnvValue",
    "build_data_converter",
    "temporal_worker_env_ref",
    "workflow",
]
