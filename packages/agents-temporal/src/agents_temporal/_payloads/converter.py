"""Client and worker: the payload converter the plugin installs."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable

from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter, PydanticPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    EncodingPayloadConverter,
    JSONPlainPayloadConverter,
)


@functools.cache
def _shared_json_converter() -> PydanticJSONPlainPayloadConverter:
    return PydanticJSONPlainPayloadConverter()


@functools.cache
def _encoding_converters() -> tuple[EncodingPayloadConverter, ...]:
    """The default encoding converters, the JSON one replaced by the shared one."""
    json_converter = _shared_json_converter()
    return tuple(
        json_converter if isinstance(c, JSONPlainPayloadConverter) else c
        for c in DefaultPayloadConverter.default_encoding_payload_converters
    )


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
        The list of converters is worked out once too: a worker makes converters per workflow
        activation.
        """
        CompositePayloadConverter.__init__(self, *_encoding_converters())


def build_type_adapters(converter: DataConverter, types: Iterable[object]) -> int:
    """Build the shared JSON converter's pydantic adapter for each type, once per process.

    The adapter for a type is built on the first payload of that type, which on a fresh worker
    is the first workflow task of each workflow (its input, its updates, its activities'
    results), under the SDK's 2 s deadlock detector and with every other workflow thread
    building the same ones. The worker calls this before it polls. Nothing is done for a
    payload converter the user chose.

    Returns:
        How many types have an adapter (a type pydantic cannot handle is skipped: its payloads
        fail, with pydantic's message, where they are converted).
    """
    if converter.payload_converter_class is not AgentsPayloadConverter:
        return 0
    # temporalio's private lru_cache of TypeAdapter by type hint: the cache the converter
    # reads (pyproject pins temporalio to a minor series; the warm-up test checks it).
    adapter = _shared_json_converter()._type_adapter  # pyright: ignore[reportPrivateUsage]
    built = 0
    for type_hint in types:
        try:
            adapter(type_hint)
        except Exception:  # a warm-up never stops a worker from starting
            continue
        built += 1
    return built


OpenAIPayloadConverter = AgentsPayloadConverter
"""The published integration's name for the payload converter the plugin installs."""


def with_agents_converter(converter: DataConverter | None) -> DataConverter:
    """Install ``AgentsPayloadConverter``, keeping the user's codec and failure converter."""
    converter = converter or DataConverter.default
    if converter.payload_converter_class in (DefaultPayloadConverter, PydanticPayloadConverter):
        return dataclasses.replace(converter, payload_converter_class=AgentsPayloadConverter)
    # A payload converter the user chose is kept as is: they own its compatibility.
    return converter
