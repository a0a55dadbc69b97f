"""Log lines follow the failed spans' rule: an exception keeps its type and frames, not its text.

The worker's own run (`apps/worker/tests/test_worker_logs.py`) shows it end to end; these pin
down each way a text reaches a line: the traceback (causes, contexts, exception groups), an
exception given as a message argument, and its text already formatted into the message.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

from agents_temporal import RedactingFormatter
from agents_temporal._tracing.redaction import REDACTED, REDACTED_LOG_TEXT

KEY = "-".join(["sk", "live", "4f9a2c7e1b8d"])
HEADER = "Authorization: Bearer " + "tok" * 6


@pytest.fixture
def lines() -> Iterator[tuple[logging.Logger, io.StringIO, io.StringIO]]:
    """A logger with a plain handler first (which caches the traceback it formats), then ours."""
    logger = logging.getLogger("tests.log_redaction")
    plain, redacted = io.StringIO(), io.StringIO()
    handlers = [logging.StreamHandler(plain), logging.StreamHandler(redacted)]
    handlers[1].setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    for handler in handlers:
        logger.addHandler(handler)
    logger.propagate = False
    yield logger, plain, redacted
    for handler in handlers:
        logger.removeHandler(handler)
    logger.propagate = True


def _fail_with_cause_and_context() -> None:
    try:
        raise ValueError(f"bad key {KEY}")
    except ValueError:
        try:
            raise KeyError(HEADER)
        except KeyError as error:
            raise RuntimeError(f"request with {HEADER} failed") from error


def test_a_traceback_keeps_types_and_frames_of_every_link_and_none_of_their_text(
    lines: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    logger, plain, redacted = lines
    try:
        _fail_with_cause_and_context()
    except RuntimeError:
        logger.exception("the call failed")
    assert KEY in plain.getvalue()  # what an unredacted handler writes, from the same record
    text = redacted.getvalue()
    assert KEY not in text
    assert HEADER not in text
    assert text.startswith("ERROR tests.log_redaction: the call failed\nTraceback")
    assert f"ValueError: {REDACTED_LOG_TEXT}\n" in text
    assert f"KeyError: {REDACTED_LOG_TEXT}\n" in text
    assert f"RuntimeError: {REDACTED_LOG_TEXT}" in text
    assert "During handling of the above exception, another exception occurred" in text
    assert "The above exception was the direct cause of the following exception" in text
    assert "in _fail_with_cause_and_context" in text


def test_fixed_messages_and_temporal_error_types_stay(
    lines: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    logger, _, redacted = lines
    cause = ApplicationError(f"refused {KEY}", type="InvoiceServiceError")
    error = ActivityError(
        "Activity task failed",
        scheduled_event_id=5,
        started_event_id=6,
        identity="worker",
        activity_type="fetch_invoice",
        activity_id="1",
        retry_state=RetryState.MAXIMUM_ATTEMPTS_REACHED,
    )
    error.__cause__ = cause
    logger.error("the workflow task failed", exc_info=error)
    text = redacted.getvalue()
    assert KEY not in text
    assert "temporalio.exceptions.ActivityError: Activity task failed" in text
    assert f"ApplicationError: InvoiceServiceError ({REDACTED_LOG_TEXT})" in text


def test_an_exception_in_the_message_is_redacted_too(
    lines: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    logger, plain, redacted = lines
    error = ConnectionError(f"https://api.example/v1?key={KEY} unreachable")
    logger.warning("could not publish, will retry: %s", error)
    logger.warning("retrying (%(tries)d): %(error)s", {"tries": 2, "error": error})
    logger.error(error)
    # An f-string already quoted the text: it is found in the message and replaced.
    logger.warning(f"gave up: {error}", exc_info=error)
    assert plain.getvalue().count(KEY) >= 4
    text = redacted.getvalue()
    assert KEY not in text
    assert f"will retry: ConnectionError: {REDACTED_LOG_TEXT}\n" in text
    assert f"retrying (2): ConnectionError: {REDACTED_LOG_TEXT}\n" in text
    assert f"ERROR tests.log_redaction: ConnectionError: {REDACTED_LOG_TEXT}\n" in text
    assert f"gave up: [{REDACTED}]\n" in text


def test_every_member_of_an_exception_group_is_redacted(
    lines: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    logger, _, redacted = lines
    group = ExceptionGroup("two tools failed", [ValueError(KEY), OSError(HEADER)])
    logger.error("a task group failed", exc_info=group)
    text = redacted.getvalue()
    assert KEY not in text
    assert HEADER not in text
    assert f"  | ValueError: {REDACTED_LOG_TEXT}" in text
    assert f"  | OSError: {REDACTED_LOG_TEXT}" in text
    assert "+---------------- 2 ----------------" in text
