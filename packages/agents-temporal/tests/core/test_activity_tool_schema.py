"""activity_as_tool reads a function's schema once, not every time a workflow builds its agents."""

from __future__ import annotations

import weakref
from datetime import timedelta
from typing import Any

import pytest
from agents.function_schema import function_schema
from temporalio import activity

import agents_temporal._model.activity_tool as activity_tool
from agents_temporal.workflow import activity_as_tool

MINUTE = timedelta(minutes=1)


class Shop:
    @activity.defn
    async def find_order(self, order_id: str, include_items: bool = False) -> dict[str, Any]:
        """Find an order by id."""
        return {"order_id": order_id, "items": [] if include_items else None}


@activity.defn
async def ping(text: str) -> str:
    """Echo the text."""
    return text


@pytest.fixture
def schema_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    real = function_schema

    def counting(func: Any, **kwargs: Any) -> Any:
        reads.append(func.__name__)
        return real(func, **kwargs)

    monkeypatch.setattr(activity_tool, "function_schema", counting)
    fresh: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
    monkeypatch.setattr(activity_tool, "_described", fresh)
    return reads


def test_schema_is_read_once_per_function(schema_reads: list[str]) -> None:
    first = activity_as_tool(ping, start_to_close_timeout=MINUTE)
    second = activity_as_tool(ping, start_to_close_timeout=timedelta(seconds=5))
    assert schema_reads.count("ping") == 1
    assert first.params_json_schema == second.params_json_schema
    assert first.params_json_schema is not second.params_json_schema, "each tool owns its copy"


def test_options_that_change_the_schema_are_kept_apart(schema_reads: list[str]) -> None:
    plain = activity_as_tool(ping, start_to_close_timeout=MINUTE)
    renamed = activity_as_tool(ping, start_to_close_timeout=MINUTE, name_override="echo")
    described = activity_as_tool(
        ping, start_to_close_timeout=MINUTE, description_override="Repeat it back."
    )
    loose = activity_as_tool(ping, start_to_close_timeout=MINUTE, strict_json_schema=False)
    assert (plain.name, renamed.name) == ("ping", "echo")
    assert (plain.description, described.description) == ("Echo the text.", "Repeat it back.")
    assert (plain.strict_json_schema, loose.strict_json_schema) == (True, False)


def test_methods_named_through_the_class_or_an_instance(schema_reads: list[str]) -> None:
    unbound = activity_as_tool(Shop.find_order, start_to_close_timeout=MINUTE)
    bound = activity_as_tool(Shop().find_order, start_to_close_timeout=MINUTE)
    again = activity_as_tool(Shop.find_order, start_to_close_timeout=MINUTE)
    for tool in (unbound, bound, again):
        assert sorted(tool.params_json_schema["properties"]) == ["include_items", "order_id"]
    assert schema_reads.count("find_order") == 2  # without and with self
