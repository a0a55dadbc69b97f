"""Run OpenAI Agents SDK agents durably inside Temporal workflows."""
