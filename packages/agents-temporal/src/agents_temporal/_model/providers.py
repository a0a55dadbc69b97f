"""Activity side: the model provider a worker uses when none is given."""

from __future__ import annotations

import os

from agents import Model, ModelProvider, OpenAIProvider
from openai import AsyncOpenAI
from temporalio.exceptions import ApplicationError

from .._errors import MODEL_PROVIDER_ERROR

LITELLM_PREFIX = "litellm/"


class DefaultModelProvider(ModelProvider):
    """OpenAI for plain model names, LiteLLM for ``litellm/<provider>/<model>`` names.

    Clients are made on first use, so a worker that only ever serves LiteLLM models needs no
    OpenAI key. Provider-side retries are off: Temporal's retry policy owns retries, so one
    failed attempt is one recorded activity attempt.
    """

    def __init__(
        self,
        default_model: str | None = None,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
    ) -> None:
        """Create the provider.

        Args:
            default_model: The model for agents that name none (``Agent(model=None)``); may be a
                ``litellm/...`` name. None keeps the Agents SDK's default OpenAI model.
            api_key: The OpenAI API key; None reads ``OPENAI_API_KEY`` from the environment.
            base_url: An OpenAI-compatible endpoint; None reads ``OPENAI_BASE_URL`` or uses
                OpenAI's.
        """
        self.default_model = default_model
        self._api_key = api_key
        self._base_url = base_url
        self._openai: OpenAIProvider | None = None
        self._client: AsyncOpenAI | None = None
        self._litellm: ModelProvider | None = None

    def get_model(self, model_name: str | None) -> Model:
        # An agent that names no model gets the provider's default; without this the SDK's own
        # default model was used, whatever MODEL the worker was given.
        model_name = model_name or self.default_model
        if model_name is not None and model_name.startswith(LITELLM_PREFIX):
            return self._litellm_provider().get_model(model_name.removeprefix(LITELLM_PREFIX))
        return self._openai_provider().get_model(model_name)

    async def aclose(self) -> None:
        """Close the HTTP clients made so far; new ones are made if the provider is used again."""
        openai_provider, self._openai = self._openai, None
        if openai_provider is not None:
            await openai_provider.aclose()
        if self._client is not None:
            await self._client.close()
            self._client = None

    def _openai_provider(self) -> OpenAIProvider:
        if self._openai is None:
            if not (self._api_key or os.environ.get("OPENAI_API_KEY")):
                raise ApplicationError(
                    "OPENAI_API_KEY is not set on the worker: set it, choose a LiteLLM model "
                    "with a 'litellm/<provider>/<model>' name, or pass model_provider= to "
                    "OpenAIAgentsPlugin",
                    type=MODEL_PROVIDER_ERROR,
                    non_retryable=True,
                )
            self._client = AsyncOpenAI(
                api_key=self._api_key, base_url=self._base_url, max_retries=0
            )
            self._openai = OpenAIProvider(openai_client=self._client)
        return self._openai

    def _litellm_provider(self) -> ModelProvider:
        if self._litellm is None:
            # Without this, importing LiteLLM fetches a model cost map from the internet.
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            try:
                from agents.extensions.models.litellm_provider import LitellmProvider
            except ImportError as error:
                raise ApplicationError(
                    "LiteLLM models need the 'litellm' extra: "
                    'pip install "agents-temporal[litellm]"',
                    type=MODEL_PROVIDER_ERROR,
                    non_retryable=True,
                ) from error
            self._litellm = LitellmProvider()
        return self._litellm
