"""Workflow side: nexus_operation_as_tool, a Nexus operation as an Agents SDK tool."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import nexusrpc
from agents import FunctionTool, RunContextWrapper
from agents.function_schema import function_schema
from pydantic import ValidationError
from temporalio import workflow
from temporalio.exceptions import ApplicationError

from .._errors import AgentsWorkflowError, ToolSerializationError


def _text(tool: str, result: Any) -> str:
    try:
        return str(result)
    except Exception as error:
        raise ToolSerializationError(
            f"The result of tool {tool!r} could not be turned into text for the model "
            f"({type(error).__name__}: {error}): return a string or a value str() can convert"
        ) from error


def nexus_operation_as_tool(
    operation: nexusrpc.Operation[Any, Any],
    *,
    service: type[Any],
    endpoint: str,
    schedule_to_close_timeout: timedelta | None = None,
    strict_json_schema: bool = True,
) -> FunctionTool:
    """A Nexus operation as a tool for an agent in a workflow.

    The model calls the tool with the operation's input (a parameter named ``input``, typed
    as the operation's input type); the workflow runs the operation through a Nexus client on
    ``endpoint``, waits for its result and gives the model ``str(result)``::

        @nexusrpc.service
        class WeatherService:
            get_weather: nexusrpc.Operation[WeatherInput, Weather]

        tool = nexus_operation_as_tool(
            WeatherService.get_weather, service=WeatherService, endpoint="weather"
        )

    Args:
        operation: The operation, as declared on its ``@nexusrpc.service`` class.
        service: That service class.
        endpoint: The Nexus endpoint that routes to the service's handler.
        schedule_to_close_timeout: How long the operation may take in all.
        strict_json_schema: Whether the tool's JSON schema is strict.

    Returns:
        The tool.
    """

    def signature(input: Any) -> Any:  # only its annotations are read
        raise NotImplementedError

    signature.__annotations__ = {"input": operation.input_type, "return": operation.output_type}
    signature.__name__ = operation.name
    signature.__qualname__ = operation.name
    schema = function_schema(signature, strict_json_schema=strict_json_schema)

    async def run(_context: RunContextWrapper[Any], arguments: str) -> str:
        try:
            parsed = schema.params_pydantic_model(**json.loads(arguments or "{}"))
        except (ValueError, ValidationError) as error:
            # The Agents SDK hands this to the model, which can call again with valid input.
            raise ApplicationError(
                f"Invalid input for tool {schema.name!r}: {error}", type="InvalidToolInput"
            ) from error
        args, _ = schema.to_call_args(parsed)
        if len(args) != 1:
            raise AgentsWorkflowError(
                f"Nexus operation {operation.name!r} must take exactly one input",
                type="AgentsConfigurationError",
            )
        client = workflow.create_nexus_client(service=service, endpoint=endpoint)
        result = await client.execute_operation(
            operation, args[0], schedule_to_close_timeout=schedule_to_close_timeout
        )
        return _text(schema.name, result)

    return FunctionTool(
        name=schema.name,
        description=schema.description or "",
        params_json_schema=schema.params_json_schema,
        on_invoke_tool=run,
        strict_json_schema=strict_json_schema,
    )
