"""Client and worker: what the plugin needs of OpenTelemetry, imported only when asked."""

from __future__ import annotations

import importlib
from types import ModuleType

OTEL_EXTRA_HINT = 'pip install "agents-temporal[otel]"'
"""The install command that brings the OpenTelemetry dependencies."""


def otel_module() -> ModuleType:
    """``agents_temporal._tracing.otel``, or an ImportError that names the extra to install."""
    try:
        return importlib.import_module("agents_temporal._tracing.otel")
    except ImportError as error:
        raise ImportError(
            "OpenTelemetry export (use_otel_instrumentation=True) needs dependencies that are "
            f"not installed ({error}): install them with {OTEL_EXTRA_HINT}"
        ) from error


def check_otel_ready() -> None:
    """Fail now, with advice, if OpenTelemetry export could not work.

    Raises:
        ImportError: If the ``otel`` extra is not installed.
        ValueError: If the global tracer provider is not replay safe.
    """
    otel_module().check_global_provider()


def enable_otel_export(*, redact_content: bool = False) -> None:
    """Export Agents SDK spans through the global OpenTelemetry tracer provider.

    Args:
        redact_content: Keep messages, tool arguments and outputs out of the spans (for the
            rest of the process's life).
    """
    otel_module().install_bridge(redact_content=redact_content)
