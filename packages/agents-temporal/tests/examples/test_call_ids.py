"""A provider that repeats tool call ids does not make the run forget an earlier call."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from temporalio.client import Client

from agents_temporal.testing import ResponseBuilders, TestModel
from stack_testapp.spec_examples import WeatherAgent
from tests.examples.test_spec_examples import run, through_plugin


def weather_call(city: str) -> Any:
    # Every response numbers its calls from zero, as some Chat Completions providers do.
    return ResponseBuilders.tool_call(json.dumps({"city": city}), "get_weather", call_id="call_0")


async def test_repeated_call_ids_keep_every_call(
    temporal_client: Client, task_queue: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="temporalio.workflow")
    model = TestModel.returning_responses(
        [weather_call("Oslo"), weather_call("Lima"), ResponseBuilders.output_message("Both.")]
    )
    async with through_plugin(temporal_client, model, task_queue) as client:
        result = await run(client, WeatherAgent.run, "Oslo and Lima?", task_queue, "call_ids")
    assert result == "Both."
    last_input: list[dict[str, Any]] = [
        dict(item) for item in model.requests[-1].input if isinstance(item, dict)
    ]
    calls = [i for i in last_input if i.get("type") == "function_call"]
    outputs = [i for i in last_input if i.get("type") == "function_call_output"]
    # Both calls and both outputs reach the model, each output paired with its own call.
    assert [json.loads(str(c["arguments"]))["city"] for c in calls] == ["Oslo", "Lima"]
    assert [c["call_id"] for c in calls] == ["call_0", "call_0-2"]
    assert [o["call_id"] for o in outputs] == ["call_0", "call_0-2"]
    assert ["Oslo" in str(o["output"]) for o in outputs] == [True, False]
    assert ["Lima" in str(o["output"]) for o in outputs] == [False, True]
    assert "tool call id 'call_0', which the conversation already has" in caplog.text
