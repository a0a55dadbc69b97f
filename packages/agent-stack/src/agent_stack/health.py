"""Health of a worker deployment: Temporal reachable, workers polling, HTTP probes."""

from agent_stack._health import STUCK_EXIT_CODE, HealthReport, HealthServer, check_health

__all__ = [  # noqa: RUF022 - plain sorted order, checked by test_public_api
    "HealthReport",
    "HealthServer",
    "STUCK_EXIT_CODE",
    "check_health",
]
