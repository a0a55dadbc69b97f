"""Client and worker: the payload converter the plugin installs."""

from __future__ import annotations

import dataclasses
import functools

from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter, PydanticPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)


@functools.cache
def _shared_json_converter() -> PydanticJSONPlainPayloadConverter:
    return PydanticJSONPlainPayloadConverter()


class AgentsPayloadConverter(PydanticPayloadConverter):
    """JSON payloads for every OpenAI and Agents SDK type.

    OpenAI types are pydantic models and Agents SDK results are dataclasses of them; pydantic
    round-trips both, including discriminated unions such as response output items.
    """

    def __init__(self) -> None:
        """Create the converter, sharing one pydantic JSON converter across the process.

        Temporal makes a new payload converter for every serialization context (with external
        storage, for every activity), and pydantic's type adapters are cached per converter: a
        fresh cache would rebuild the model call input's adapter, about 1.5 ms, on every call.
        """
        json_converter = _shared_json_converter()
        CompositePayloadConverter.__init__(
            self,
            *(
                json_converter if isinstance(c, JSONPlainPayloadConverter) else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            ),
        )


OpenAIPayloadConverter = AgentsPayloadConverter
"""The published integration's name for ``AgentsPayloadConverter``."""


def with_agents_converter(converter: DataConverter | None) -> DataConverter:
    """Install ``AgentsPayloadConverter``, keeping the user's codec and failure converter."""
    converter = converter or DataConverter.default
    if converter.payload_converter_class in (DefaultPayloadConverter, PydanticPayloadConverter):
        return dataclasses.replace(converter, payload_converter_class=AgentsPayloadConverter)
    # A payload converter the user chose is kept as is: they own its compatibility.
    return converter
