"""The workflow side sends model settings as the Agents SDK's ``to_json_dict`` would."""

from __future__ import annotations

from typing import Any

import pytest
from agents import ModelSettings
from agents.model_settings import MCPToolChoice
from openai.types.shared import Reasoning

from agents_temporal._model.workflow_model import settings_json

_SETTINGS = {
    "default": ModelSettings(),
    "set": ModelSettings(
        temperature=0.2,
        top_p=0.9,
        tool_choice=MCPToolChoice(server_label="desk", name="lookup"),
        parallel_tool_calls=False,
        truncation="auto",
        max_tokens=300,
        reasoning=Reasoning(effort="low"),
        metadata={"customer": "c-1"},
        store=False,
        include_usage=True,
        response_include=["reasoning.encrypted_content"],
        extra_query={"q": "1"},
        extra_body={"b": [1, 2]},
        extra_headers={"X-Trace": "t"},
        extra_args={"seed": 7},
    ),
}


@pytest.mark.parametrize("settings", _SETTINGS.values(), ids=_SETTINGS.keys())
def test_settings_come_out_as_the_sdks_to_json_dict(settings: ModelSettings) -> None:
    assert settings_json(settings) == settings.to_json_dict()


def test_two_calls_never_share_a_dict() -> None:
    settings = ModelSettings(metadata={"a": "1"})
    first, second = settings_json(settings), settings_json(settings)
    assert first == second and first is not second
    assert first["metadata"] is not second["metadata"]


class _OwnSettings(ModelSettings):
    def to_json_dict(self) -> dict[str, Any]:
        return {**super().to_json_dict(), "temperature": 0.0}


def test_a_subclass_with_its_own_to_json_dict_is_asked_for_it() -> None:
    assert settings_json(_OwnSettings(temperature=1.0))["temperature"] == 0.0
