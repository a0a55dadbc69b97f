from __future__ import annotations

from agents import set_tracing_disabled

# The tests run agents; without this the SDK would try to export their traces to OpenAI.
set_tracing_disabled(True)
