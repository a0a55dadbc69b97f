# syntax=docker/dockerfile:1.7
# The worker image: runs `worker`, which registers every agent app installed next to it.
# Build from the repository root:
#   docker build -f infra/worker.Dockerfile -t durable-agents-worker .
# The image is generic: it holds no agent app unless you name some (workspace package names,
# space-separated), e.g.
#   --build-arg AGENT_APPS="support-agents my-agents"
# Without one, the worker refuses to start, saying how to add one.

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
# No default app: which apps a deployment runs is its own choice (compose.yaml picks the example).
ARG AGENT_APPS=""
# Install the worker and the agent apps as regular (not editable) packages, exactly as locked,
# without dev tools; the source tree stays behind in this stage.
RUN --mount=type=cache,target=/root/.cache/uv \
    set -eu; \
    apps=""; for app in ${AGENT_APPS}; do apps="$apps --package $app"; done; \
    uv sync --locked --no-dev --no-editable --package agent-worker $apps

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app \
    && mkdir -p /app/.data/payloads \
    && chown -R app:app /app
COPY --from=build --chown=app:app /app/.venv /app/.venv
ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    WORKER_HEALTH_PORT=8080
WORKDIR /app
USER 10001:10001
EXPOSE 8080
# Ready means running and connected to Temporal (GET /readyz on WORKER_HEALTH_PORT).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('WORKER_HEALTH_PORT', '8080'), timeout=4)"]
# On SIGTERM the worker stops polling and lets running activities finish; give it time to
# (compose: stop_grace_period, Kubernetes: terminationGracePeriodSeconds).
STOPSIGNAL SIGTERM
CMD ["worker"]
