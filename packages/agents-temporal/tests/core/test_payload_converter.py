"""The plugin's payload converter holds the SDK's default converters, JSON through pydantic."""

from __future__ import annotations

from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)

from agents_temporal._payloads.converter import AgentsPayloadConverter


def test_it_holds_the_default_converters_in_order_with_one_shared_json_converter() -> None:
    first, second = AgentsPayloadConverter(), AgentsPayloadConverter()
    json_converter = first.converters[b"json/plain"]
    assert isinstance(json_converter, PydanticJSONPlainPayloadConverter)
    expected = CompositePayloadConverter(
        *(
            json_converter if isinstance(c, JSONPlainPayloadConverter) else c
            for c in DefaultPayloadConverter.default_encoding_payload_converters
        )
    )
    assert list(first.converters.items()) == list(expected.converters.items())
    assert second.converters == first.converters
    # Worked out once, but each converter's mapping is its own, as the SDK's are.
    assert second.converters is not first.converters


def test_it_round_trips_payloads() -> None:
    converter = AgentsPayloadConverter()
    values = [None, b"bytes", {"text": "héllo", "n": [1, 2.5]}]
    payloads = converter.to_payloads(values)
    assert [p.metadata["encoding"] for p in payloads] == [
        b"binary/null",
        b"binary/plain",
        b"json/plain",
    ]
    assert converter.from_payloads(payloads) == values
