"""Worker: the per-activation data converter without a new payload and failure converter each.

For every workflow activation the Temporal SDK makes two ``_CommandAwareDataConverter`` (one to
decode the activation, one to encode its completion), each through ``DataConverter``'s
constructor, whose ``__post_init__`` builds a new payload converter (with the plugin's converter,
a composite of six encoding converters) and a new failure converter. Neither depends on the
activation: they are built from the worker's data converter's classes, with no serialization
context, exactly as the worker's data converter built its own when it was made. The context
that payload codecs and storage need is looked up per command, and the command-aware
converter's codec and storage come from the workflow-context converter, not from these two.

``install`` replaces ``_CommandAwareDataConverter.create`` with one that fills the same fields
with the same values, taking the payload and failure converters from the worker's own data
converter instead of building new ones. It does so only for a plain ``DataConverter`` (a
subclass may build its converters in its own way, and gets the SDK's ``create``). It relies on
private ``temporalio`` names: ``pyproject.toml`` pins ``temporalio`` to a minor series, and
``tests/core/test_command_converters.py`` fails if the converter gains a field this does not
fill, or if the two ways differ.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator

from temporalio.converter import DataConverter, WorkflowSerializationContext
from temporalio.worker._workflow import (
    _CommandAwareDataConverter,  # pyright: ignore[reportPrivateUsage]
)
from temporalio.worker._workflow_instance import WorkflowInstance

_SDK_CREATE = _CommandAwareDataConverter.create

FILLED_FIELDS = frozenset(
    {
        "payload_converter_class",
        "payload_codec",
        "failure_converter_class",
        "payload_converter",
        "failure_converter",
        "external_storage",
        "_ca_instance",
        "_ca_context_free_dc",
        "_ca_workflow_context_dc",
        "_ca_workflow_context",
    }
)
"""Every field of ``_CommandAwareDataConverter`` that `create` fills (the test compares)."""


def _same_classes(context_free_dc: DataConverter, workflow_context_dc: DataConverter) -> bool:
    return (
        type(context_free_dc) is DataConverter
        and type(workflow_context_dc) is DataConverter
        and context_free_dc.payload_converter_class is workflow_context_dc.payload_converter_class
        and context_free_dc.failure_converter_class is workflow_context_dc.failure_converter_class
    )


def create(
    instance: WorkflowInstance,
    context_free_dc: DataConverter,
    workflow_context_dc: DataConverter,
    workflow_context: WorkflowSerializationContext,
) -> _CommandAwareDataConverter:
    """``_CommandAwareDataConverter.create``, reusing the worker's payload and failure converter."""
    if not _same_classes(context_free_dc, workflow_context_dc):
        return _SDK_CREATE(instance, context_free_dc, workflow_context_dc, workflow_context)
    converter = object.__new__(_CommandAwareDataConverter)
    # The dataclass is frozen: its own __init__ sets fields the same way.
    fields = {
        "payload_converter_class": workflow_context_dc.payload_converter_class,
        "payload_codec": workflow_context_dc.payload_codec,
        "failure_converter_class": workflow_context_dc.failure_converter_class,
        "external_storage": workflow_context_dc.external_storage,
        # What __post_init__ would build: the classes' converters with no context, which the
        # worker's data converter (of the same classes, a plain DataConverter) already holds.
        "payload_converter": context_free_dc.payload_converter,
        "failure_converter": context_free_dc.failure_converter,
        "_ca_instance": instance,
        "_ca_context_free_dc": context_free_dc,
        "_ca_workflow_context_dc": workflow_context_dc,
        "_ca_workflow_context": workflow_context,
    }
    for name, value in fields.items():
        object.__setattr__(converter, name, value)
    return converter


def install() -> None:
    """Put `create` in place of the SDK's; calling it again changes nothing."""
    _CommandAwareDataConverter.create = staticmethod(create)


@contextlib.contextmanager
def sdk_create() -> Generator[None]:
    """Use the SDK's own ``create`` inside the block (for benchmarks that compare the two)."""
    current = _CommandAwareDataConverter.__dict__["create"]
    _CommandAwareDataConverter.create = staticmethod(_SDK_CREATE)
    try:
        yield
    finally:
        _CommandAwareDataConverter.create = current
