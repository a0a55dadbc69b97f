"""Worker: the sandboxed workflow runner the plugin installs, without its per-payload detour.

Temporal's sandbox runs every call into a workflow instance as a small ``exec`` inside the
sandbox, with the sandbox's importer, ``sys.modules`` and restricted builtins swapped in and out
around it. That is right for activations, which run workflow code. But the worker also asks the
instance, for every payload of every activation and completion (three passes each way), which
serialization context the payload belongs to (``get_serialization_context``) and where external
storage should put it (``get_external_store_context``). Those two answers come from
``temporalio``'s own instance (a lookup of the pending command by its sequence number, no user
code, no imports), yet each one paid the whole swap: about an eighth of the worker's CPU per
model call in an agent workflow.

``FastContextSandboxedWorkflowRunner`` is the SDK's ``SandboxedWorkflowRunner`` with those two
lookups made as direct calls to the instance inside the sandbox. Everything that runs workflow
code (creating the instance, activations) still goes through the sandbox unchanged, so its
checks and isolation are what they were. The instance's class is ``temporalio``'s own
``_WorkflowInstanceImpl`` (``temporalio`` is always passed through, so it is the same class
inside and outside), which is also what the SDK's unsandboxed runner calls directly.

It relies on ``temporalio``'s private ``_Instance``; ``pyproject.toml`` pins ``temporalio`` to a
minor series and ``tests/core/test_workflow_runner.py`` checks that the shortcut is taken and
returns what the sandboxed call returns, so an SDK release that changes either fails there.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import temporalio.converter
from temporalio.converter._extstore import StorageDriverStoreContext
from temporalio.worker import _command_aware_visitor
from temporalio.worker._workflow_instance import (
    WorkflowInstance,
    WorkflowInstanceDetails,
)
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox._runner import (
    _Instance,  # pyright: ignore[reportPrivateUsage]
)

_IN_SANDBOX = "__temporal_in_sandbox"  # where _Instance keeps the InSandbox object


class _FastContextInstance(_Instance):
    """A sandboxed instance whose context lookups skip the sandbox swap (see the module)."""

    def _in_sandbox(self) -> Any:
        return self.globals_and_locals.get(_IN_SANDBOX)

    def get_serialization_context(
        self, command_info: _command_aware_visitor.CommandInfo | None
    ) -> temporalio.converter.SerializationContext | None:
        in_sandbox = self._in_sandbox()
        if in_sandbox is None:  # not created yet: keep the SDK's own path
            return super().get_serialization_context(command_info)
        return in_sandbox.get_serialization_context(command_info)

    def get_external_store_context(
        self, command_info: _command_aware_visitor.CommandInfo | None
    ) -> StorageDriverStoreContext:
        in_sandbox = self._in_sandbox()
        if in_sandbox is None:
            return super().get_external_store_context(command_info)
        return in_sandbox.get_external_store_context(command_info)


@dataclasses.dataclass(frozen=True)
class FastContextSandboxedWorkflowRunner(SandboxedWorkflowRunner):
    """Temporal's sandboxed runner, with serialization-context lookups made directly."""

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        """Implements :py:meth:`WorkflowRunner.create_instance`."""
        return _FastContextInstance(det, self.runner_class, self.restrictions)


def fast_context_runner(runner: SandboxedWorkflowRunner) -> SandboxedWorkflowRunner:
    """``runner`` as a ``FastContextSandboxedWorkflowRunner``, if it is the SDK's own class.

    A subclass someone else wrote may override ``create_instance`` for reasons of its own, so
    it is kept as it is.
    """
    if type(runner) is not SandboxedWorkflowRunner:
        return runner
    return FastContextSandboxedWorkflowRunner(
        restrictions=runner.restrictions, runner_class=runner.runner_class
    )
