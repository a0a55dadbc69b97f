"""Health of a worker deployment: Temporal reachable, workers polling, HTTP probes."""

from agent_worker._health import HealthReport, HealthServer, check_health

__all__ = ["HealthReport", "HealthServer", "check_health"]
