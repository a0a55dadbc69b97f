"""An agent app whose tool and model fail with secrets in their errors' text.

Served by the real ``worker`` command (``AGENT_APP_OBJECTS=tests.leaky_app:APP``) in
``test_worker_logs.py``: the invoice tool raises quoting an API key in a URL, and the model
raises echoing an ``Authorization`` header, as careless HTTP clients do. The secrets are built
at run time, so no traceback's source line can show them.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from agents import Agent, ModelResponse, Runner
from temporalio import activity, workflow
from temporalio.common import RetryPolicy

from agents_temporal.apps import AgentApp
from agents_temporal.testing import ModelRequest, ResponseBuilders, TestModel, TestModelProvider
from agents_temporal.workflow import activity_as_tool

API_KEY = "-".join(["sk", "proj", "Zq81vWm3xTfYpL0aKc7eRn2u"])
"""A secret-looking API key, as a provider's URL might carry it."""

BEARER = "".join(["eyJhbGciOiJIUzI1NiJ9", ".", "c2VjcmV0LXRva2Vu"])
"""A bearer token, as an error echoing the request's headers would show it."""

FAIL_THE_MODEL = "fail the model"
"""The prompt for which the model itself fails."""


class InvoiceServiceError(Exception):
    """The invoice service refused a request (its text quotes the request's URL)."""


class ProviderError(Exception):
    """The model provider refused a request (its text echoes the request's headers)."""


@activity.defn(name="leaky.fetch_invoice")
async def fetch_invoice(invoice_id: str) -> str:
    """Fetch an invoice by its id."""
    url = f"https://billing.example/invoices/{invoice_id}?api_key={API_KEY}"
    raise InvoiceServiceError(f"GET {url} failed: 503")


@workflow.defn
class LeakyConversation:
    """Runs one agent whose only tool fails for good."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        """Run the agent on ``prompt``."""
        tool = activity_as_tool(
            fetch_invoice,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(maximum_attempts=1),
        )
        agent = Agent[None](name="Billing", instructions="Fetch invoices.", tools=[tool])
        result = await Runner.run(agent, prompt)
        return str(result.final_output)


def _respond(request: ModelRequest) -> ModelResponse:
    if request.last_user_text() == FAIL_THE_MODEL:
        raise ProviderError(f"401 Unauthorized; request headers: Authorization: Bearer {BEARER}")
    return ResponseBuilders.tool_call('{"invoice_id": "I-7"}', "fetch_invoice")


@asynccontextmanager
async def _activities(settings: Any) -> AsyncGenerator[Sequence[Callable[..., Any]]]:
    yield [fetch_invoice]


APP = AgentApp(
    name="leaky",
    title="Leaky",
    description="A tool and a model whose errors carry secrets.",
    conversation_workflow=LeakyConversation,
    workflows=[LeakyConversation],
    activities=_activities,
    offline_model_provider=lambda: TestModelProvider(TestModel(_respond)),
    sandbox_passthrough_modules=["tests.leaky_app"],
)
"""The app, for AGENT_APP_OBJECTS."""
