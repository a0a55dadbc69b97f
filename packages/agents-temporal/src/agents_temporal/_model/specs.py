"""Both sides: tools, handoffs and output schemas as plain data, and rebuilt from it.

Tools and handoffs live in the workflow with their Python callables; the model activity only
needs what the provider is shown (names, descriptions, JSON schemas, hosted-tool configuration).
These specs carry exactly that across the activity boundary, and rebuild stand-in objects on the
activity side whose callables can never run there.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from typing import Any

from agents import (
    AgentOutputSchemaBase,
    CodeInterpreterTool,
    ComputerTool,
    CustomTool,
    FileSearchTool,
    FunctionTool,
    Handoff,
    HostedMCPTool,
    ImageGenerationTool,
    LocalShellTool,
    Tool,
    ToolSearchTool,
    WebSearchTool,
)
from agents.exceptions import UserError
from pydantic_core import PydanticSerializationError, to_jsonable_python

from .._errors import AgentsWorkflowError
from .._model_call import OutputSchemaSpec, ToolSpec

_TOOL_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        FunctionTool,
        FileSearchTool,
        WebSearchTool,
        HostedMCPTool,
        CodeInterpreterTool,
        ImageGenerationTool,
        ToolSearchTool,
        CustomTool,
    )
}

_REFUSED_TOOLS: dict[type[Any], str] = {
    LocalShellTool: "LocalShellTool runs commands on whatever machine executes it, which in a "
    "workflow is not deterministic; wrap the command in an activity and expose it with "
    "agents_temporal.workflow.activity_as_tool",
    ComputerTool: "ComputerTool drives a local computer, which a distributed worker cannot "
    "promise; run the computer actions in activities exposed with activity_as_tool",
}


@functools.cache
def _factory_default(f: dataclasses.Field[Any]) -> Any:
    """A field's factory-made default, made once: it is only compared, never handed out."""
    factory: Any = f.default_factory
    return factory()


def _is_default(f: dataclasses.Field[Any], value: Any) -> bool:
    if f.default is not dataclasses.MISSING:
        default: Any = f.default
    elif f.default_factory is not dataclasses.MISSING:
        default = _factory_default(f)
    else:
        return False
    try:
        return bool(type(value) is type(default) and value == default)
    except Exception:  # an odd __eq__: keep the field
        return False


def _data_fields(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        if not f.init:
            continue
        value = getattr(obj, f.name)
        if callable(value) or value is None or _is_default(f, value):
            # A default is rebuilt as the default on the activity side: every model call's
            # input (and history) would otherwise carry it once per tool.
            continue
        try:
            out[f.name] = to_jsonable_python(value)
        except PydanticSerializationError:
            # Guardrails, hooks and similar runtime objects are the workflow's business.
            continue
    return out


def tool_spec(tool: Tool) -> ToolSpec:
    """Describe a workflow-side tool for the model activity."""
    for refused, why in _REFUSED_TOOLS.items():
        if isinstance(tool, refused):
            raise AgentsWorkflowError(f"{refused.__name__} cannot be used in a workflow: {why}.")
    kind = type(tool).__name__
    if kind not in _TOOL_CLASSES:
        # A subclass (a sandbox capability's `ExecCommandTool` is a `FunctionTool`) is shown to
        # the model as its base class: the model activity only describes it.
        kind = next((name for name, cls in _TOOL_CLASSES.items() if isinstance(tool, cls)), kind)
    if kind not in _TOOL_CLASSES:
        raise AgentsWorkflowError(
            f"Tool {getattr(tool, 'name', kind)!r} of type {kind} is not supported inside a "
            "workflow; supported: " + ", ".join(sorted(_TOOL_CLASSES))
        )
    return ToolSpec(kind=kind, fields=_data_fields(tool))


def handoff_spec(handoff: Handoff[Any, Any]) -> ToolSpec:
    """Describe a handoff for the model activity."""
    return ToolSpec(kind="Handoff", fields=_data_fields(handoff))


def output_schema_spec(schema: AgentOutputSchemaBase | None) -> OutputSchemaSpec | None:
    """Describe an agent's output schema for the model activity."""
    if schema is None:
        return None
    plain = schema.is_plain_text()
    return OutputSchemaSpec(
        name=schema.name(),
        is_plain_text=plain,
        json_schema=None if plain else schema.json_schema(),
        is_strict_json_schema=schema.is_strict_json_schema(),
    )


async def _never_invoked(*_args: Any, **_kwargs: Any) -> Any:
    raise UserError("Tools run in the workflow, never inside the model activity.")


def _callable_placeholders(cls: type[Any], present: dict[str, Any]) -> dict[str, Any]:
    required: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if not f.init or f.name in present:
            continue
        missing_default = (
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        )
        if missing_default:
            required[f.name] = _never_invoked
    return required


def _build(cls: type[Any], fields: dict[str, Any]) -> Any:
    kwargs = dict(fields)
    kwargs.update(_callable_placeholders(cls, kwargs))
    return cls(**kwargs)


_FUNCTION_TOOL_TEMPLATES = 256
"""How many distinct function tools the model activity keeps built, most recently used first."""


@functools.lru_cache(maxsize=_FUNCTION_TOOL_TEMPLATES)
def _function_tool_template(fields_json: str) -> FunctionTool:
    return _build(FunctionTool, json.loads(fields_json))


def _copy_data(value: Any) -> Any:
    """A copy of the dicts and lists in ``value``; anything else is shared."""
    if isinstance(value, dict):
        return {key: _copy_data(item) for key, item in value.items()}  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, list):
        return [_copy_data(item) for item in value]  # pyright: ignore[reportUnknownVariableType]
    return value


def _function_tool(fields: dict[str, Any]) -> FunctionTool:
    """A function tool built once per distinct spec, handed out as a copy of its own.

    Building one makes the Agents SDK copy, strictify and check its JSON schema, on every model
    call for every tool of the agent. Each call gets its own dicts and lists (the JSON schemas
    among them), so a provider that edits a tool's schema for its API edits only its copy.
    """
    template = _function_tool_template(json.dumps(fields))
    tool = object.__new__(FunctionTool)
    tool.__dict__.update({name: _copy_data(value) for name, value in vars(template).items()})
    return tool


def rebuild_tool(spec: ToolSpec) -> Any:
    """Rebuild a stand-in tool (activity side) that the provider can describe to the model."""
    if spec.kind == "FunctionTool":
        return _function_tool(spec.fields)
    return _build(Handoff if spec.kind == "Handoff" else _TOOL_CLASSES[spec.kind], spec.fields)


class SpecOutputSchema(AgentOutputSchemaBase):
    """An output schema rebuilt from its spec; it describes, it never validates."""

    def __init__(self, spec: OutputSchemaSpec) -> None:
        self._spec = spec

    def is_plain_text(self) -> bool:
        return self._spec.is_plain_text

    def name(self) -> str:
        return self._spec.name

    def json_schema(self) -> dict[str, Any]:
        if self._spec.json_schema is None:
            raise UserError("A plain-text output type has no JSON schema.")
        return self._spec.json_schema

    def is_strict_json_schema(self) -> bool:
        return self._spec.is_strict_json_schema

    def validate_json(self, json_str: str) -> Any:
        raise UserError("Model output is validated in the workflow, not in the model activity.")
