"""The scripted OpenAI-compatible server, driven by the real `openai` client, the Agents SDK
and LiteLLM."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import openai
import pytest
from agents import (
    Agent,
    Model,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RawResponsesStreamEvent,
    Runner,
    function_tool,
    set_tracing_disabled,
)
from hypothesis import given
from hypothesis import strategies as st
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseStreamEvent,
    ResponseTextDeltaEvent,
)

from agents_temporal.testing._openai_server.server import (
    ErrorReply,
    HangReply,
    MalformedReply,
    OpenAICompatibleServer,
    RecordedRequest,
    StreamFailure,
    TextReply,
    ToolCall,
    ToolCallReply,
    count_tokens,
    split_tokens,
)

QUESTION = "What is two plus three?"
USER: list[ChatCompletionMessageParam] = [{"role": "user", "content": QUESTION}]


@pytest.fixture(autouse=True, scope="module")
def _no_tracing() -> None:
    set_tracing_disabled(True)


@pytest.fixture
def server() -> Iterator[OpenAICompatibleServer]:
    with OpenAICompatibleServer() as running:
        yield running


@pytest.fixture
async def client(server: OpenAICompatibleServer) -> AsyncIterator[AsyncOpenAI]:
    async with AsyncOpenAI(base_url=server.base_url, api_key="test", max_retries=0) as opened:
        yield opened


# The official client parses every answer into its types.


async def test_responses_text(server: OpenAICompatibleServer, client: AsyncOpenAI) -> None:
    server.enqueue(TextReply("Five, of course."))

    response = await client.responses.create(
        model="test-model", instructions="Be brief.", input="What is two plus three?"
    )

    assert isinstance(response, Response)
    assert (response.id, response.status, response.model) == (
        "resp_0001",
        "completed",
        "test-model",
    )
    assert response.output_text == "Five, of course."
    assert isinstance(response.output[0], ResponseOutputMessage)
    assert response.usage is not None
    assert (response.usage.input_tokens, response.usage.output_tokens) == (2 + 5, 3)
    assert response.usage.total_tokens == 10


async def test_responses_tool_calls(server: OpenAICompatibleServer, client: AsyncOpenAI) -> None:
    server.enqueue(
        ToolCallReply(
            [ToolCall("add", {"a": 2, "b": 3}), ToolCall("log", '{"line": "x"}', call_id="c-7")],
            text="Let me add.",
        )
    )

    response = await client.responses.create(model="test-model", input="add")

    message, first, second = response.output
    assert isinstance(message, ResponseOutputMessage)
    assert isinstance(first, ResponseFunctionToolCall)
    assert isinstance(second, ResponseFunctionToolCall)
    assert response.output_text == "Let me add."
    assert (first.name, json.loads(first.arguments), first.call_id) == (
        "add",
        {"a": 2, "b": 3},
        "call_0001",
    )
    assert (second.name, second.arguments, second.call_id, second.id) == (
        "log",
        '{"line": "x"}',
        "c-7",
        "fc_0002",
    )


async def test_responses_stream_sends_the_api_event_sequence(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    server.enqueue(TextReply("Five,  of course."))

    stream = await client.responses.create(model="test-model", input="sum", stream=True)
    events: list[ResponseStreamEvent] = [event async for event in stream]

    assert [event.type for event in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * 3,
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [event.sequence_number for event in events] == list(range(len(events)))
    deltas = [event.delta for event in events if isinstance(event, ResponseTextDeltaEvent)]
    assert deltas == ["Five,  ", "of ", "course."]
    completed = events[-1]
    assert isinstance(completed, ResponseCompletedEvent)
    assert completed.response.output_text == "Five,  of course."
    assert completed.response.usage is not None
    assert completed.response.usage.output_tokens == 3
    assert server.requests[0].streamed


async def test_responses_stream_tool_call(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    server.enqueue(ToolCallReply([ToolCall("add", {"a": 2, "b": 3})]))

    stream = await client.responses.create(model="test-model", input="add", stream=True)
    events = [event async for event in stream]

    types = [event.type for event in events]
    assert types[2] == "response.output_item.added"
    assert types.count("response.function_call_arguments.delta") == count_tokens('{"a": 2, "b": 3}')
    assert types[-3:] == [
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    arguments = "".join(
        event.delta for event in events if event.type == "response.function_call_arguments.delta"
    )
    completed = events[-1]
    assert isinstance(completed, ResponseCompletedEvent)
    (call,) = completed.response.output
    assert isinstance(call, ResponseFunctionToolCall)
    assert arguments == call.arguments == '{"a": 2, "b": 3}'


async def test_chat_text(server: OpenAICompatibleServer, client: AsyncOpenAI) -> None:
    server.enqueue(TextReply("Five."))

    completion = await client.chat.completions.create(model="test-model", messages=USER)

    assert isinstance(completion, ChatCompletion)
    choice = completion.choices[0]
    assert (choice.message.content, choice.finish_reason) == ("Five.", "stop")
    assert choice.message.tool_calls is None
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (5, 1)


async def test_chat_tool_calls(server: OpenAICompatibleServer, client: AsyncOpenAI) -> None:
    server.enqueue(ToolCallReply([ToolCall("add", {"a": 2, "b": 3}), ToolCall("log")]))

    completion = await client.chat.completions.create(model="test-model", messages=USER)

    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    calls = choice.message.tool_calls or []
    assert [
        (c.id, c.function.name, c.function.arguments) for c in calls if c.type == "function"
    ] == [
        ("call_0001", "add", '{"a": 2, "b": 3}'),
        ("call_0002", "log", "{}"),
    ]


async def test_chat_stream_text_with_usage(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    server.enqueue(TextReply("It is five."))

    stream = await client.chat.completions.create(
        model="test-model",
        messages=USER,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks: list[ChatCompletionChunk] = [chunk async for chunk in stream]

    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == "It is five."
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (5, 3)
    assert all(chunk.usage is None for chunk in chunks[:-1])


async def test_chat_stream_tool_calls(server: OpenAICompatibleServer, client: AsyncOpenAI) -> None:
    server.enqueue(ToolCallReply([ToolCall("add", {"a": 2, "b": 3}), ToolCall("log", "{}")]))

    stream = await client.chat.completions.create(model="test-model", messages=USER, stream=True)
    chunks = [chunk async for chunk in stream]

    calls: dict[int, dict[str, str]] = {}
    for chunk in chunks:
        for delta in chunk.choices[0].delta.tool_calls or []:
            call = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
            call["id"] += delta.id or ""
            if delta.function is not None:
                call["name"] += delta.function.name or ""
                call["arguments"] += delta.function.arguments or ""
    assert calls == {
        0: {"id": "call_0001", "name": "add", "arguments": '{"a": 2, "b": 3}'},
        1: {"id": "call_0002", "name": "log", "arguments": "{}"},
    }
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert all(chunk.usage is None for chunk in chunks)


async def test_models_lists_the_configured_names() -> None:
    with OpenAICompatibleServer(models=["gpt-test", "other"]) as server:
        async with AsyncOpenAI(base_url=server.base_url, api_key="test", max_retries=0) as client:
            models = await client.models.list()

    assert [model.id for model in models.data] == ["gpt-test", "other"]
    assert server.pending_replies == 0


async def test_unknown_path_is_a_404(server: OpenAICompatibleServer, client: AsyncOpenAI) -> None:
    with pytest.raises(openai.NotFoundError, match="No route"):
        await client.embeddings.create(model="test-model", input="x")


# The Agents SDK, end to end without Temporal.


def _add_tool(seen: list[tuple[int, int]]) -> Any:
    @function_tool
    def add(a: int, b: int) -> int:
        """Add two integers."""
        seen.append((a, b))
        return a + b

    return add


ModelFactory = Callable[[AsyncOpenAI], Model]
MODELS: dict[str, ModelFactory] = {
    "responses": lambda client: OpenAIResponsesModel("test-model", openai_client=client),
    "chat": lambda client: OpenAIChatCompletionsModel("test-model", openai_client=client),
}


@pytest.mark.parametrize("make_model", MODELS.values(), ids=MODELS.keys())
async def test_agent_calls_the_tool_then_answers(
    server: OpenAICompatibleServer, client: AsyncOpenAI, make_model: ModelFactory
) -> None:
    seen: list[tuple[int, int]] = []
    agent = Agent(
        name="calc", instructions="Add.", tools=[_add_tool(seen)], model=make_model(client)
    )
    server.enqueue(ToolCallReply([ToolCall("add", {"a": 2, "b": 3})]), TextReply("It is 5."))

    result = await Runner.run(agent, "What is two plus three?")

    assert result.final_output == "It is 5."
    assert seen == [(2, 3)]
    first, second = server.wait_for_requests(2)
    assert first.model == "test-model"
    assert "5" in second.input_text.split()  # the tool's output went back to the model
    usage = result.context_wrapper.usage
    assert (usage.requests, usage.output_tokens) == (2, count_tokens('{"a": 2, "b": 3}') + 3)


@pytest.mark.parametrize("make_model", MODELS.values(), ids=MODELS.keys())
async def test_agent_streams_text_deltas(
    server: OpenAICompatibleServer, client: AsyncOpenAI, make_model: ModelFactory
) -> None:
    seen: list[tuple[int, int]] = []
    agent = Agent(
        name="calc", instructions="Add.", tools=[_add_tool(seen)], model=make_model(client)
    )
    server.enqueue(ToolCallReply([ToolCall("add", {"a": 2, "b": 3})]), TextReply("It is five."))

    result = Runner.run_streamed(agent, "What is two plus three?")
    deltas = [
        event.data.delta
        async for event in result.stream_events()
        if isinstance(event, RawResponsesStreamEvent)
        and isinstance(event.data, ResponseTextDeltaEvent)
    ]

    assert deltas == ["It ", "is ", "five."]
    assert result.final_output == "It is five."
    assert seen == [(2, 3)]
    assert [request.streamed for request in server.requests] == [True, True]


async def test_litellm_model_runs_the_tool_calling_agent(server: OpenAICompatibleServer) -> None:
    # litellm fetches a cost map from the internet on import unless told not to.
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    from agents.extensions.models.litellm_model import LitellmModel

    seen: list[tuple[int, int]] = []
    model = LitellmModel(model="openai/test-model", base_url=server.base_url, api_key="test")
    agent = Agent(name="calc", instructions="Add.", tools=[_add_tool(seen)], model=model)
    server.enqueue(ToolCallReply([ToolCall("add", {"a": 2, "b": 3})]), TextReply("It is 5."))

    result = await Runner.run(agent, "What is two plus three?")

    assert result.final_output == "It is 5."
    assert seen == [(2, 3)]
    assert server.count("/chat/completions") == 2
    assert result.context_wrapper.usage.output_tokens == count_tokens('{"a": 2, "b": 3}') + 3


# Faults.


async def test_rate_limit_exposes_retry_after(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    server.enqueue(ErrorReply.rate_limit(retry_after=1))

    with pytest.raises(openai.RateLimitError) as caught:
        await client.responses.create(model="test-model", input="hi")

    assert caught.value.status_code == 429
    assert caught.value.response.headers["retry-after"] == "1"
    assert caught.value.code == "rate_limit_exceeded"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, openai.BadRequestError),
        (401, openai.AuthenticationError),
        (500, openai.InternalServerError),
        (503, openai.InternalServerError),
    ],
)
async def test_error_statuses_raise_the_matching_client_error(
    server: OpenAICompatibleServer,
    client: AsyncOpenAI,
    status: int,
    error: type[openai.APIStatusError],
) -> None:
    server.enqueue(ErrorReply(status), ErrorReply(status))

    with pytest.raises(error) as plain:
        await client.responses.create(model="test-model", input="hi")
    # Errors come before any event, so a streamed request fails at the call too.
    with pytest.raises(error):
        await client.chat.completions.create(model="test-model", messages=USER, stream=True)

    assert plain.value.status_code == status
    assert isinstance(plain.value.body, dict)
    assert plain.value.message.startswith("Error code: ")


async def test_error_body_and_headers_are_sent_as_scripted(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    body = {"error": {"message": "No such key.", "type": "auth", "param": None, "code": "k"}}
    server.enqueue(ErrorReply(401, body=body, headers={"x-request-id": "req-1"}))

    with pytest.raises(openai.AuthenticationError) as caught:
        await client.responses.create(model="test-model", input="hi")

    assert caught.value.body == body["error"]
    assert caught.value.request_id == "req-1"


async def test_malformed_json_raises_json_decode_error(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    """A 200 whose body is not JSON makes the `openai` client raise `json.JSONDecodeError` (a
    `ValueError`), not an `openai.APIError`: it parses a body labelled JSON without wrapping the
    failure. Code that classifies provider errors must catch it explicitly."""
    server.enqueue(MalformedReply())

    with pytest.raises(json.JSONDecodeError) as caught:
        await client.responses.create(model="test-model", input="hi")

    assert not isinstance(caught.value, openai.OpenAIError)


async def test_malformed_stream_event_raises_json_decode_error_while_iterating(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    """In a stream, an event whose data is not JSON raises `json.JSONDecodeError` as well."""
    server.enqueue(MalformedReply())
    stream = await client.chat.completions.create(model="test-model", messages=USER, stream=True)

    with pytest.raises(json.JSONDecodeError):
        async for _ in stream:
            pass


async def test_hang_times_out_and_does_not_block_stop(server: OpenAICompatibleServer) -> None:
    server.enqueue(HangReply(seconds=60))

    async with AsyncOpenAI(
        base_url=server.base_url, api_key="test", max_retries=0, timeout=0.2
    ) as impatient:
        with pytest.raises(openai.APITimeoutError):
            await impatient.responses.create(model="test-model", input="hi")

    # The handler is still holding the hung request; stopping must not wait for it.
    await asyncio.wait_for(asyncio.to_thread(server.stop), timeout=5)


async def test_stop_ends_a_slow_stream_that_is_being_read() -> None:
    server = OpenAICompatibleServer(token_delay=60).start()
    server.enqueue(TextReply("one two three"))
    async with AsyncOpenAI(base_url=server.base_url, api_key="test", max_retries=0) as client:
        stream = await client.responses.create(model="test-model", input="hi", stream=True)
        # Each delta is flushed as it is produced: the first arrives long before the rest.
        async for event in stream:
            if isinstance(event, ResponseTextDeltaEvent):
                assert event.delta == "one "
                break
        await asyncio.wait_for(asyncio.to_thread(server.stop), timeout=5)
        await stream.close()


async def test_responses_stream_failure_drops_after_n_deltas(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    """A dropped stream raises `openai.APIConnectionError` (its `__cause__` is the transport's
    `RemoteProtocolError`: incomplete chunked read) while iterating, after the deltas sent."""
    server.enqueue(StreamFailure(after_tokens=2, text="one two three four"))
    deltas: list[str] = []

    stream = await client.responses.create(model="test-model", input="hi", stream=True)
    with pytest.raises(openai.APIConnectionError) as caught:
        async for event in stream:
            assert event.type != "response.completed"
            if isinstance(event, ResponseTextDeltaEvent):
                deltas.append(event.delta)

    assert deltas == ["one ", "two "]
    assert "incomplete chunked read" in str(caught.value.__cause__)


async def test_chat_stream_failure_drops_after_n_deltas(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    server.enqueue(StreamFailure(after_tokens=1, text="one two three"))
    deltas: list[str] = []

    stream = await client.chat.completions.create(model="test-model", messages=USER, stream=True)
    with pytest.raises(openai.APIConnectionError):
        async for chunk in stream:
            assert chunk.choices[0].finish_reason is None
            deltas.append(chunk.choices[0].delta.content or "")

    assert deltas == ["", "one "]


async def test_stream_failure_past_the_text_still_fails(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    server.enqueue(StreamFailure(after_tokens=10, text="only two"))
    deltas: list[str] = []

    stream = await client.responses.create(model="test-model", input="hi", stream=True)
    with pytest.raises(openai.APIConnectionError):
        async for event in stream:
            if isinstance(event, ResponseTextDeltaEvent):
                deltas.append(event.delta)

    assert deltas == ["only ", "two"]


async def test_stream_failure_on_a_plain_request_drops_before_answering(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    server.enqueue(StreamFailure(after_tokens=1))

    with pytest.raises(openai.APIConnectionError):
        await client.responses.create(model="test-model", input="hi")


async def test_agent_surfaces_a_dropped_stream(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    agent = Agent(name="a", model=OpenAIResponsesModel("test-model", openai_client=client))
    server.enqueue(StreamFailure(after_tokens=1))

    result = Runner.run_streamed(agent, "hi")
    with pytest.raises(openai.APIConnectionError):
        async for _ in result.stream_events():
            pass


# Scripting and recording.


async def test_script_then_responder_then_echo(client: AsyncOpenAI) -> None:
    def responder(request: RecordedRequest) -> TextReply:
        return TextReply(f"responder saw {request.last_user_text}")

    with OpenAICompatibleServer(responder=responder) as scripted:
        async with AsyncOpenAI(base_url=scripted.base_url, api_key="t", max_retries=0) as own:
            scripted.enqueue(TextReply("first"), TextReply("second"))
            assert scripted.pending_replies == 2
            answers = [
                (await own.responses.create(model="m", input=f"q{i}")).output_text for i in range(3)
            ]
    assert answers == ["first", "second", "responder saw q2"]
    assert scripted.pending_replies == 0

    # With neither script nor responder the server echoes the last user message.
    response = await client.responses.create(
        model="m",
        input=[
            {"role": "user", "content": "older"},
            {"role": "user", "content": [{"type": "input_text", "text": "latest"}]},
        ],
    )
    assert response.output_text == "latest"


async def test_a_failing_responder_answers_500_with_its_error() -> None:
    def responder(request: RecordedRequest) -> TextReply:
        raise LookupError("no answer for this")

    with OpenAICompatibleServer(responder=responder) as failing:
        async with AsyncOpenAI(base_url=failing.base_url, api_key="t", max_retries=0) as own:
            with pytest.raises(openai.InternalServerError, match="no answer for this"):
                await own.responses.create(model="m", input="x")


async def test_input_tokens_count_the_conversation_text(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    response = await client.responses.create(
        model="m",
        instructions="Be brief.",
        input=[
            {"role": "user", "content": "add two numbers"},
            {"type": "function_call", "call_id": "c1", "name": "add", "arguments": '{"a": 2}'},
            {"type": "function_call_output", "call_id": "c1", "output": "2"},
        ],
    )

    (request,) = server.requests
    assert request.input_text == 'Be brief. add two numbers {"a": 2} 2'
    assert response.usage is not None
    assert response.usage.input_tokens == 2 + 3 + 2 + 1


async def test_ids_are_numbered_per_server(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    ids = [(await client.responses.create(model="m", input="x")).id for _ in range(2)]
    assert ids == ["resp_0001", "resp_0002"]
    with OpenAICompatibleServer() as other:
        async with AsyncOpenAI(base_url=other.base_url, api_key="t", max_retries=0) as own:
            assert (await own.responses.create(model="m", input="x")).id == "resp_0001"


async def test_requests_are_recorded_counted_and_cleared(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    await client.responses.create(model="test-model", input="hello")
    await client.chat.completions.create(model="test-model", messages=USER)
    await client.models.list()

    first, second, third = server.requests
    assert (first.method, first.path, first.streamed) == ("POST", "/v1/responses", False)
    assert first.headers["authorization"] == "Bearer test"
    assert first.body_json == {"model": "test-model", "input": "hello"}
    assert (second.path, second.last_user_text) == ("/v1/chat/completions", QUESTION)
    assert (third.method, third.body_json) == ("GET", None)
    assert first.received_at <= second.received_at <= third.received_at
    assert (server.count(), server.count("/responses"), server.count("/chat/completions")) == (
        3,
        1,
        1,
    )

    server.clear()

    assert (server.requests, server.count()) == ([], 0)


async def test_wait_for_requests_async_sees_a_request_in_flight(
    server: OpenAICompatibleServer, client: AsyncOpenAI
) -> None:
    server.enqueue(HangReply(seconds=60))
    call = asyncio.create_task(client.responses.create(model="test-model", input="hold"))

    (request,) = await server.wait_for_requests_async(1, path_suffix="/responses")

    assert request.last_user_text == "hold"
    assert not call.done()
    server.stop()
    with pytest.raises(openai.APIConnectionError):
        await call


async def test_wait_for_requests_times_out_with_a_clear_message(
    server: OpenAICompatibleServer,
) -> None:
    with pytest.raises(TimeoutError, match=r"Expected 1 request\(s\) to any path"):
        server.wait_for_requests(1, timeout=0.01)
    with pytest.raises(TimeoutError, match="paths ending '/responses'"):
        await server.wait_for_requests_async(1, timeout=0.01, path_suffix="/responses")


def test_lifecycle() -> None:
    server = OpenAICompatibleServer()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.base_url
    server.start()
    try:
        assert server.port > 0
        assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
        with pytest.raises(RuntimeError, match="already running"):
            server.start()
    finally:
        server.stop()
    server.stop()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.port


async def test_async_context_manager() -> None:
    async with OpenAICompatibleServer() as server:
        async with AsyncOpenAI(base_url=server.base_url, api_key="t", max_retries=0) as client:
            assert (await client.responses.create(model="m", input="ping")).output_text == "ping"
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.port


@given(st.text())
def test_tokens_concatenate_back_to_the_text(text: str) -> None:
    tokens = split_tokens(text)
    assert "".join(tokens) == text
    if text.strip():
        assert len(tokens) == count_tokens(text)
