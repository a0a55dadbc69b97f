"""Session-wide test setup: quiet third-party defaults and a real local Temporal server."""

import os

# No test may export traces to OpenAI or fetch LiteLLM's cost map from the internet.
os.environ.setdefault("OPENAI_AGENTS_DISABLE_TRACING", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

pytest_plugins = ["agents_temporal.pytest_plugin", "tests.timeout_report"]
