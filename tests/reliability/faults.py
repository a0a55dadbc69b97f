"""Model faults at the local OpenAI-compatible server: rate limits, server errors, hangs.

`FaultInjector` wraps a responder: a seeded share of requests gets a fault instead of the
responder's answer. Fault kinds take turns (429, 500, hang, 429, ...), so every kind shows up
as soon as three faults have happened, whatever order the requests arrive in.
"""

from __future__ import annotations

import random  # noqa: TID251 - seeded test data and fault schedules, never in a workflow
import threading
from collections import Counter
from typing import Literal

from agents_temporal.testing import ErrorReply, HangReply, RecordedRequest, Reply, Responder

FaultKind = Literal["429", "500", "hang"]
FAULT_KINDS: tuple[FaultKind, ...] = ("429", "500", "hang")


class FaultInjector:
    """A responder that answers ``rate`` of the model requests with a fault.

    Args:
        responder: Answers the requests that get no fault.
        seed: Seeds the choice of which requests fail.
        rate: The share of requests that fail.
        hang_seconds: How long a hang holds the connection: longer than the model activity's
            timeout, so the activity times out rather than seeing the connection close.
        retry_after: The ``retry-after`` a 429 asks for, in seconds.
    """

    def __init__(
        self,
        responder: Responder,
        *,
        seed: int,
        rate: float = 0.2,
        hang_seconds: float = 30.0,
        retry_after: float = 0.2,
    ) -> None:
        self._responder = responder
        self._rng = random.Random(seed)
        self._rate = rate
        self._hang_seconds = hang_seconds
        self._retry_after = retry_after
        # The server answers each request on a thread of its own.
        self._lock = threading.Lock()
        self.faults: Counter[FaultKind] = Counter()
        self.answered = 0

    def __call__(self, request: RecordedRequest) -> Reply:
        with self._lock:
            kind = self._next_fault()
            if kind is None:
                self.answered += 1
            else:
                self.faults[kind] += 1
        if kind == "429":
            return ErrorReply.rate_limit(retry_after=self._retry_after)
        if kind == "500":
            return ErrorReply(500)
        if kind == "hang":
            return HangReply(seconds=self._hang_seconds)
        return self._responder(request)

    def _next_fault(self) -> FaultKind | None:
        if self._rng.random() >= self._rate:
            return None
        return FAULT_KINDS[sum(self.faults.values()) % len(FAULT_KINDS)]

    @property
    def total_faults(self) -> int:
        with self._lock:
            return sum(self.faults.values())
