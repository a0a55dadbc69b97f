"""Scripted models and a worker for the long-conversation tests (the bench uses them too)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import AsyncGenerator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from agents import Model, ModelResponse
from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.worker import Worker

from agents_temporal import ModelActivityParameters, OpenAIAgentsPlugin
from agents_temporal.testing import ModelRequest, ResponseBuilders, TestModel, TestModelProvider
from tests.long_conversations.workflows import (
    ACTIVITIES,
    CHAT,
    SUMMARIZER,
    WORKFLOWS,
    page_text,
)

PARAMS = ModelActivityParameters(start_to_close_timeout=timedelta(seconds=60))
TEST_KEYS = {
    name: hashlib.sha256(f"agents_temporal test key {name}".encode()).digest()
    for name in ("key-a", "key-b")
}
"""Fixed keys, so committed encrypted histories replay (test data, never a real secret)."""
MODEL_ACTIVITIES = frozenset({"invoke_model_activity", "agents_temporal.invoke_model"})
"""The model activity's type, and the one histories recorded before it changed hold."""

_TURN = re.compile(r"^Turn (\d+): read (\d+) pages of (\d+) bytes$")
_PAGE = re.compile(r"^<page turn=(\d+) step=(\d+) size=(\d+)>")
_SUMMARY = re.compile(
    r"pages so far: (\d+); turns so far: (\d+); request: (.*?); step: (\d+)\.(\d+)"
)
_CALL = re.compile(r'tool call fetch_page\(\{"turn": (\d+), "step": (\d+)')


def _items(request: ModelRequest) -> list[dict[str, Any]]:
    if isinstance(request.input, str):
        return [{"role": "user", "content": request.input}]
    return [cast(dict[str, Any], item) for item in request.input]


def _text(item: dict[str, Any]) -> str:
    content = item.get("content")
    if isinstance(content, str):
        return content
    parts = cast(list[dict[str, Any]], content or [])
    return "".join(str(p.get("text", "")) for p in parts)


def _intact(output: str) -> bool:
    match = _PAGE.match(output)
    return match is not None and output == page_text(*(int(g) for g in match.groups()))


def researcher(request: ModelRequest) -> ModelResponse:
    """Reads the pages each turn asks for, then reports how much of the conversation it sees.

    The report counts every page and turn the model was shown, directly or through summaries,
    so a test can tell that nothing was lost on the way to the model.
    """
    items = _items(request)
    summaries = [m for item in items if (m := _SUMMARY.search(_text(item)))]
    turn_messages = [(i, m) for i, item in enumerate(items) if (m := _TURN.match(_text(item)))]
    outputs = [str(i["output"]) for i in items if i.get("type") == "function_call_output"]
    if turn_messages:
        last, match = turn_messages[-1]
        read = sum(1 for item in items[last + 1 :] if item.get("type") == "function_call_output")
    else:
        # The turn's request was summarized away: the summary says what it was and how far
        # the turn had got; every page still in view came after that.
        summary = summaries[-1]
        match = _TURN.match(summary.group(3))
        assert match is not None, summary.group(3)
        same_turn = summary.group(4) == match.group(1)
        read = (int(summary.group(5)) if same_turn else 0) + len(outputs)
    turn, pages, size = (int(g) for g in match.groups())
    if read < pages:
        arguments = json.dumps({"turn": turn, "step": read + 1, "size": size})
        # Unique ids, as a provider gives them: compaction takes earlier calls out of the
        # model's view, but the run still knows their ids and refuses one used again.
        call = f"call_{turn}_{read + 1}"
        return ResponseBuilders.tool_call(arguments, "fetch_page", call_id=call, item_id=call)
    seen_pages = sum(int(m.group(1)) for m in summaries) + len(outputs)
    seen_turns = sum(int(m.group(2)) for m in summaries) + len(turn_messages)
    state = "intact" if all(_intact(o) for o in outputs) else "DAMAGED"
    return ResponseBuilders.output_message(
        f"Turn {turn} done: {seen_pages} pages ({state}), {seen_turns} turns"
    )


def summarizer(request: ModelRequest) -> ModelResponse:
    """Summarizes as counts, plus the latest request and how far its turn had got."""
    prompt = request.last_user_text()
    pages = prompt.count("tool result: <page ")
    turns = len(re.findall(r"^user: Turn \d+:", prompt, flags=re.MULTILINE))
    request_text, step = "none", (0, 0)
    for match in _SUMMARY.finditer(prompt):
        pages += int(match.group(1))
        turns += int(match.group(2))
        request_text, step = match.group(3), (int(match.group(4)), int(match.group(5)))
    if requests := re.findall(r"^user: (Turn \d+: read \d+ pages of \d+ bytes)$", prompt, re.M):
        request_text = requests[-1]
    if calls := _CALL.findall(prompt):
        step = (int(calls[-1][0]), int(calls[-1][1]))
    return ResponseBuilders.output_message(
        f"pages so far: {pages}; turns so far: {turns}; request: {request_text}; "
        f"step: {step[0]}.{step[1]}"
    )


def script(request: ModelRequest) -> ModelResponse:
    """Every agent of the long-conversation workflows, told apart by their instructions."""
    if request.system_instructions == SUMMARIZER:
        return summarizer(request)
    if request.system_instructions == CHAT:
        return ResponseBuilders.output_message(f"Noted: {request.last_user_text()[:60]}")
    return researcher(request)


def scripted_model() -> TestModel:
    return TestModel(script)


@asynccontextmanager
async def agent_worker(
    client: Client,
    task_queue: str,
    *,
    data_converter: DataConverter | None = None,
    model: Model | None = None,
    params: ModelActivityParameters = PARAMS,
) -> AsyncGenerator[Client]:
    """A worker for the long-conversation workflows; yields a client with the same converter."""
    plugin = OpenAIAgentsPlugin(
        model_params=params, model_provider=TestModelProvider(model or scripted_model())
    )
    config = client.config()
    config["plugins"] = [plugin]
    if data_converter is not None:
        config["data_converter"] = data_converter
    agent_client = Client(**config)
    async with Worker(
        agent_client, task_queue=task_queue, workflows=WORKFLOWS, activities=ACTIVITIES
    ):
        yield agent_client


def store_snapshot(directory: Path) -> str:
    """Every file of a local payload store as JSON, to commit beside a replayed history."""
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    return json.dumps(
        {
            p.relative_to(directory).as_posix(): base64.b64encode(p.read_bytes()).decode()
            for p in files
        },
        indent=0,
    )


def restore_snapshot(text: str, directory: Path) -> None:
    """Write a store snapshot back as files."""
    for name, data in json.loads(text).items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))


def stored_files(directory: Path, pattern: str = "*") -> list[Path]:
    """The files of a local payload store that match ``pattern`` (e.g. ``*/*/segments/*``)."""
    return [p for p in directory.glob(pattern) if p.is_file()]


def all_stored_files(directory: Path) -> list[Path]:
    """Every file of a local payload store."""
    return [p for p in directory.rglob("*") if p.is_file()]


def contains(files: Sequence[Path], text: bytes) -> bool:
    """Whether any of ``files`` holds ``text``."""
    return any(text in f.read_bytes() for f in files)


def workflow_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"  # noqa: TID251 - test ids, not workflow code


def history_bytes(history: WorkflowHistory) -> bytes:
    """The raw protobuf bytes of every event: payload data appears here as stored, unencoded."""
    return b"".join(event.SerializeToString() for event in history.events)


def model_inputs(history: WorkflowHistory) -> list[Payload]:
    """The input payload of every model activity scheduled in ``history``, in order."""
    return [
        event.activity_task_scheduled_event_attributes.input.payloads[0]
        for event in history.events
        if event.HasField("activity_task_scheduled_event_attributes")
        and event.activity_task_scheduled_event_attributes.activity_type.name in MODEL_ACTIVITIES
    ]


def payloads_of(events: Sequence[HistoryEvent]) -> list[Payload]:
    """Every payload the data converter wrote in ``events`` (inputs, results, updates, ...).

    Patch markers and the search attribute each one upserts (``TemporalChangeVersion``) are
    written by the Temporal SDK itself, never through the data converter or its codec: they
    hold a patch id, no data of the run.
    """
    found: list[Payload] = []

    def walk(message: Any) -> None:
        if isinstance(message, Payload):
            found.append(message)
            return
        for descriptor, value in message.ListFields():
            if descriptor.message_type is None:
                continue
            if descriptor.is_repeated and not descriptor.message_type.GetOptions().map_entry:
                for element in value:
                    walk(element)
            elif descriptor.message_type.GetOptions().map_entry:
                for element in value.values():
                    if hasattr(element, "ListFields"):
                        walk(element)
            else:
                walk(value)

    for event in events:
        sdk_metadata = event.HasField("upsert_workflow_search_attributes_event_attributes") or (
            event.marker_recorded_event_attributes.marker_name == "core_patch"
        )
        if not sdk_metadata:
            walk(event)
    return found
