"""Health of a worker deployment: Temporal reachable, workers polling, HTTP probes."""

from agent_stack._health import (
    POLLER_MAX_AGE,
    STUCK_EXIT_CODE,
    HealthReport,
    HealthServer,
    check_health,
    worker_ready,
)

__all__ = [  # noqa: RUF022 - plain sorted order, checked by test_public_api
    "HealthReport",
    "HealthServer",
    "POLLER_MAX_AGE",
    "STUCK_EXIT_CODE",
    "check_health",
    "worker_ready",
]
