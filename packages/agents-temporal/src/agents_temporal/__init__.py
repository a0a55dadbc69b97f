"""Run OpenAI Agents SDK agents durably inside Temporal workflows.

The public API follows the published OpenAI Agents SDK integration for Temporal, so code
written for it runs here with only the import path changed.

The names below are loaded on first use (PEP 562): importing a light submodule such as
``agents_temporal.client`` then costs only what that submodule needs, not the Agents SDK,
OpenAI's client and MCP, which this top level would otherwise pull in. A client process (the
operator console) starts seconds sooner for it. Type checkers and IDEs read the
``TYPE_CHECKING`` imports, so every name is still seen where it is defined.
"""

from __future__ import annotations

# A private alias: this module's public names are exactly ``__all__`` (a test checks it).
import typing as _typing

from ._lazy import lazy_names as _lazy_names

if _typing.TYPE_CHECKING:
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

# Where each public name lives, relative to this package; must match the imports above (a test
# checks that every name in ``__all__`` resolves). ``None``: the name is a submodule itself.
_HOMES: dict[str, str | None] = {
    "AgentsPayloadConverter": "._payloads.converter",
    "AgentsWorkflowError": "._errors",
    "AllowAllWorkerEnvVars": "._temporal_worker_env_ref",
    "BlobStorageDriver": "._payloads.storage",
    "DefaultModelProvider": "._model.providers",
    "EncryptionCodec": "._payloads.codec",
    "LocalStorageDriver": "._payloads.storage",
    "ModelActivityParameters": "._params",
    "OpenAIAgentsPlugin": "._plugin",
    "OpenAIPayloadConverter": "._payloads.converter",
    "PayloadDecryptionError": "._payloads.codec",
    "PayloadNotFoundError": "._payloads.storage",
    "PayloadStoreError": "._payloads.storage",
    "RedactingFormatter": "._tracing.redaction",
    "S3StorageDriver": "._payloads.s3",
    "SandboxClientProvider": ".sandbox._provider",
    "StatefulMCPServerProvider": "._mcp.providers",
    "StatelessMCPServerProvider": "._mcp.providers",
    "TemporalWorkerEnvValue": "._temporal_worker_env_ref",
    "build_data_converter": "._payloads.data_converter",
    "temporal_worker_env_ref": "._temporal_worker_env_ref",
    "workflow": None,
}


__getattr__, __dir__ = _lazy_names(globals(), _HOMES)
