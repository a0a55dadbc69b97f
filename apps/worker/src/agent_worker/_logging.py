"""How the worker command logs: a module of its own, light enough for `worker --check`."""

from __future__ import annotations

import logging
import sys

from agents_temporal import RedactingFormatter

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
"""How the worker's log lines read (on stderr; the summary and status lines go to stdout)."""


def configure_logging() -> None:
    """Log warnings and errors to stderr with exception text redacted, unless already set up.

    The Temporal SDK logs every failed activity and workflow task with its exception, whose
    text can quote a customer or carry a secret (a provider's error echoing a key or an
    ``Authorization`` header): each line keeps the exception's type and traceback frames, and
    its text reads "details redacted" (`agents_temporal.RedactingFormatter`). A process whose
    logging is configured already (handlers on the root logger) keeps its own.
    """
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(LOG_FORMAT))
    root.addHandler(handler)
