"""The payload converter the plugin installs."""

from __future__ import annotations

import dataclasses

from temporalio.contrib.pydantic import PydanticPayloadConverter
from temporalio.converter import DataConverter, DefaultPayloadConverter


class AgentsPayloadConverter(PydanticPayloadConverter):
    """JSON payloads for every OpenAI and Agents SDK type.

    OpenAI types are pydantic models and Agents SDK results are dataclasses of them; pydantic
    round-trips both, including discriminated unions such as response output items.
    """


def with_agents_converter(converter: DataConverter | None) -> DataConverter:
    """Install ``AgentsPayloadConverter``, keeping the user's codec and failure converter."""
    converter = converter or DataConverter.default
    if converter.payload_converter_class in (DefaultPayloadConverter, PydanticPayloadConverter):
        return dataclasses.replace(converter, payload_converter_class=AgentsPayloadConverter)
    # A payload converter the user chose is kept as is: they own its compatibility.
    return converter
