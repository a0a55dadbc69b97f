"""Tracing: replay-safe Agents SDK traces, carried across Temporal, exported to OpenTelemetry."""
