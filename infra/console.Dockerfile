# syntax=docker/dockerfile:1.7
# The console image: runs `console`, the Streamlit operator console, on CONSOLE_PORT.
# Build from the repository root:
#   docker build -f infra/console.Dockerfile -t durable-agents-console .
# The image is generic: it holds no agent app unless you name some (workspace package names,
# space-separated), e.g.
#   --build-arg AGENT_APPS="support-agents my-agents"
# Without one, the console says so on its page, and how to add one.

ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
COPY packages ./packages
COPY apps ./apps
# No default app: which apps a deployment shows is its own choice (compose.yaml picks the example).
ARG AGENT_APPS=""
RUN --mount=type=cache,target=/root/.cache/uv \
    set -eu; \
    apps=""; for app in ${AGENT_APPS}; do apps="$apps --package $app"; done; \
    uv sync --locked --no-dev --no-editable --package agent-console $apps

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app \
    && mkdir -p /app/.data/payloads /app/.streamlit \
    && chown -R app:app /app
COPY --from=build --chown=app:app /app/.venv /app/.venv
# Streamlit reads STREAMLIT_* variables: listen on every interface, never open a browser,
# never phone home.
ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    CONSOLE_PORT=8501 \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
WORKDIR /app
USER 10001:10001
EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_stcore/health' % os.environ.get('CONSOLE_PORT', '8501'), timeout=4)"]
CMD ["console"]
