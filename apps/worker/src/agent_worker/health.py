"""Health of a worker deployment: Temporal reachable, workers polling, HTTP probes."""

from agent_worker._health import STUCK_EXIT_CODE, HealthReport, HealthServer, check_health

__all__ = ["STUCK_EXIT_CODE", "HealthReport", "HealthServer", "check_health"]
