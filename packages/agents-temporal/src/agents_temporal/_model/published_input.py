"""Activity side: read a model call's input in our form or in the published integration's.

A workflow started on a worker running the published integration (``temporalio.openai_agents``)
may have a model call scheduled, or being retried, when a worker of ours takes over; that
call's input is the published ``ActivityModelInput``. It carries the same facts as our
``ModelCallInput`` in other shapes, so it is translated here rather than refused: refusing it
would fail the call on every retry and stall the workflow.
"""

from __future__ import annotations

from typing import Any, cast

from pydantic import TypeAdapter, ValidationError
from temporalio.exceptions import ApplicationError

from .._model_call import ModelCallInput, OutputSchemaSpec, ToolSpec

_OURS = TypeAdapter(ModelCallInput)
_UNREADABLE = "UnreadableModelCallInput"

# The published input's hosted tools that carry a ``tool_config``, by the config's type.
_CONFIGURED_TOOLS = {
    "mcp": "HostedMCPTool",
    "code_interpreter": "CodeInterpreterTool",
    "image_generation": "ImageGenerationTool",
}


def _unreadable(why: str) -> ApplicationError:
    return ApplicationError(
        f"This model call's input cannot be read: {why}. It was scheduled by a worker running "
        "a tool this version of agents_temporal does not support; finish the workflow on a "
        "worker running that integration.",
        type=_UNREADABLE,
        non_retryable=True,
    )


def _tool(data: dict[str, Any]) -> ToolSpec:
    if "params_json_schema" in data:
        return ToolSpec(kind="FunctionTool", fields=data)
    if "vector_store_ids" in data:
        return ToolSpec(kind="FileSearchTool", fields=data)
    if "search_context_size" in data:
        return ToolSpec(kind="WebSearchTool", fields=data)
    config = data.get("tool_config")
    if isinstance(config, dict):
        kind = _CONFIGURED_TOOLS.get(str(cast(dict[str, Any], config).get("type")))
        if kind is not None:
            return ToolSpec(kind=kind, fields={"tool_config": config})
    raise _unreadable(f"a tool with fields {sorted(data)}")


def _output_schema(data: dict[str, Any] | None) -> OutputSchemaSpec | None:
    if data is None:
        return None
    name = data.get("output_type_name")
    plain = name is None or name == "str"
    return OutputSchemaSpec(
        name=str(name),
        is_plain_text=plain,
        json_schema=None if plain else data.get("output_schema"),
        is_strict_json_schema=bool(data.get("strict_json_schema", True)),
    )


def _dicts(value: Any) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], value or [])


def _from_published(data: dict[str, Any]) -> ModelCallInput:
    try:
        return ModelCallInput(
            model_name=data.get("model_name"),
            agent_name="agent",
            system_instructions=data.get("system_instructions"),
            input=data["input"],
            model_settings=data["model_settings"],
            tools=[_tool(tool) for tool in _dicts(data.get("tools"))],
            handoffs=[ToolSpec(kind="Handoff", fields=h) for h in _dicts(data.get("handoffs"))],
            output_schema=_output_schema(data.get("output_schema")),
            tracing=int(data["tracing"]),
            previous_response_id=data.get("previous_response_id"),
            conversation_id=data.get("conversation_id"),
            prompt=data.get("prompt"),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise _unreadable(f"{type(error).__name__}: {error}") from error


def read_call_input(data: dict[str, Any]) -> ModelCallInput:
    """The model call ``data`` describes, from our ``ModelCallInput`` or the published input.

    Raises:
        ApplicationError: Non-retryable, when ``data`` is neither.
    """
    if "agent_name" not in data:
        return _from_published(data)
    try:
        return _OURS.validate_python(data)
    except ValidationError as error:
        raise _unreadable(str(error)) from error
