"""Sandbox agents in workflows: every sandbox operation an activity on the workers.

The Agents SDK's ``SandboxAgent`` runs commands and edits files in a sandbox. In a workflow,
``RunConfig(sandbox=SandboxRunConfig(client=temporal_sandbox_client("local"), ...))`` sends each
sandbox operation to the ``SandboxClientProvider`` the workers registered as ``"local"``
(``OpenAIAgentsPlugin(sandbox_clients=[...])``); the workflow holds only the session's state.
"""

from .._temporal_worker_env_ref import TemporalWorkerEnvValue
from ._provider import SandboxClientProvider
from ._workflow_client import TemporalSandboxClient, TemporalSandboxSession, temporal_sandbox_client

__all__ = [
    "SandboxClientProvider",
    "TemporalSandboxClient",
    "TemporalSandboxSession",
    "TemporalWorkerEnvValue",
    "temporal_sandbox_client",
]
