"""Tools, handoffs and output schemas survive the trip to the model activity as plain data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from agents import (
    Agent,
    AgentOutputSchema,
    CodeInterpreterTool,
    FileSearchTool,
    FunctionTool,
    HostedMCPTool,
    ImageGenerationTool,
    WebSearchTool,
    function_tool,
    handoff,
)
from pydantic import BaseModel
from temporalio.contrib.pydantic import pydantic_data_converter

from agents_temporal import AgentsWorkflowError
from agents_temporal._model import specs as specs_module
from agents_temporal._model.specs import (
    SpecOutputSchema,
    handoff_spec,
    output_schema_spec,
    rebuild_tool,
    tool_spec,
)
from agents_temporal._model_call import ToolSpec

HOSTED: list[Any] = [
    WebSearchTool(search_context_size="high"),
    FileSearchTool(vector_store_ids=["vs_1"], max_num_results=3),
    CodeInterpreterTool(tool_config={"type": "code_interpreter", "container": {"type": "auto"}}),
    ImageGenerationTool(tool_config={"type": "image_generation", "quality": "low"}),
    HostedMCPTool(
        tool_config={"type": "mcp", "server_label": "docs", "server_url": "https://x.invalid"}
    ),
]


def through_payload(spec: ToolSpec) -> ToolSpec:
    converter = pydantic_data_converter.payload_converter
    return converter.from_payloads(converter.to_payloads([spec]), [ToolSpec])[0]


@pytest.mark.parametrize("tool", HOSTED, ids=lambda t: type(t).__name__)
def test_hosted_tools_pass_through(tool: Any) -> None:
    rebuilt = rebuild_tool(through_payload(tool_spec(tool)))
    assert type(rebuilt) is type(tool)
    assert rebuilt == tool


def test_function_tool_keeps_what_the_model_sees() -> None:
    @function_tool
    def lookup(order_id: str, verbose: bool = False) -> str:
        """Look up an order."""
        return order_id

    rebuilt = rebuild_tool(through_payload(tool_spec(lookup)))
    assert (rebuilt.name, rebuilt.description) == ("lookup", "Look up an order.")
    assert rebuilt.params_json_schema == lookup.params_json_schema
    assert rebuilt.strict_json_schema is True


def _data(tool: object) -> dict[str, object]:
    """A tool's fields, without its callables (placeholders, made anew for each build)."""
    return {name: value for name, value in vars(tool).items() if not callable(value)}


def test_a_function_tool_is_built_once_and_each_call_gets_its_own() -> None:
    @function_tool
    def refund(order_id: str, reason: str | None = None) -> str:
        """Refund an order."""
        return order_id

    spec = through_payload(tool_spec(refund))
    specs_module._function_tool_template.cache_clear()  # pyright: ignore[reportPrivateUsage]
    first, second = rebuild_tool(spec), rebuild_tool(through_payload(tool_spec(refund)))
    info = specs_module._function_tool_template.cache_info()  # pyright: ignore[reportPrivateUsage]
    assert (info.misses, info.hits) == (1, 1)

    # The same tool as one built the way the Agents SDK builds it...
    built = specs_module._build(FunctionTool, spec.fields)  # pyright: ignore[reportPrivateUsage]
    assert type(first) is FunctionTool
    assert _data(first) == _data(built)
    # ...and a copy of its own: a provider that edits one call's schema leaves the next alone.
    first.params_json_schema["properties"].clear()
    first.description = "edited"
    third = rebuild_tool(spec)
    assert second.params_json_schema == third.params_json_schema == refund.params_json_schema
    assert third.description == "Refund an order."


def test_handoff_keeps_name_schema_and_target() -> None:
    spec = handoff_spec(handoff(Agent(name="Refunds"), tool_description_override="Refunds desk"))
    rebuilt = rebuild_tool(spec)
    assert (rebuilt.tool_name, rebuilt.agent_name) == ("transfer_to_refunds", "Refunds")
    assert rebuilt.tool_description == "Refunds desk"


def test_output_schema_describes_but_never_validates() -> None:
    class Verdict(BaseModel):
        ok: bool

    original = AgentOutputSchema(Verdict)
    spec = output_schema_spec(original)
    assert spec is not None
    rebuilt = SpecOutputSchema(spec)
    assert rebuilt.json_schema() == original.json_schema()
    assert rebuilt.name() == original.name()
    assert not rebuilt.is_plain_text()
    with pytest.raises(Exception, match="validated in the workflow"):
        rebuilt.validate_json(json.dumps({"ok": True}))


def test_unsupported_tool_is_refused_by_name() -> None:
    class Odd:
        name = "odd"

    with pytest.raises(AgentsWorkflowError, match="'odd' of type Odd is not supported"):
        tool_spec(Odd())  # type: ignore[arg-type]
