"""A local, scripted, OpenAI-compatible HTTP server for tests (Responses and Chat Completions)."""
