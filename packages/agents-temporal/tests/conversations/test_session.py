"""WorkflowSession implements the Agents SDK Session protocol on plain, exportable data."""

from __future__ import annotations

from typing import Any, cast

from agents import Agent, RunConfig, Runner, TResponseInputItem
from agents.memory import Session, SessionSettings

from agents_temporal.testing import ModelRequest, ResponseBuilders, TestModel, TestModelProvider
from agents_temporal.workflow import WorkflowSession


def message(role: str, text: str) -> TResponseInputItem:
    return cast(TResponseInputItem, {"role": role, "content": text})


def texts(items: list[TResponseInputItem]) -> list[Any]:
    return [cast(dict[str, Any], item)["content"] for item in items]


async def test_protocol_operations() -> None:
    session = WorkflowSession("conversation-1")
    assert isinstance(session, Session)
    await session.add_items([message("user", "a"), message("assistant", "b")])
    await session.add_items([message("user", "c")])

    assert texts(await session.get_items()) == ["a", "b", "c"]
    assert texts(await session.get_items(limit=2)) == ["b", "c"]
    assert await session.get_items(limit=0) == []
    assert await session.pop_item() == message("user", "c")
    assert len(session) == 2
    await session.clear_session()
    assert await session.get_items() == []
    assert await session.pop_item() is None


async def test_items_are_copies_and_export_round_trips() -> None:
    session = WorkflowSession("conversation-1", [message("user", "a")])
    items = await session.get_items()
    cast(dict[str, Any], items[0])["content"] = "changed"
    exported = session.export_items()
    exported[0]["content"] = "changed too"

    restored = WorkflowSession("conversation-1", session.export_items())
    assert await restored.get_items() == [message("user", "a")]


async def test_settings_limit_applies_when_no_limit_is_given() -> None:
    session = WorkflowSession(
        "conversation-1",
        [message("user", str(n)) for n in range(5)],
        session_settings=SessionSettings(limit=2),
    )
    assert len(await session.get_items()) == 2
    assert len(await session.get_items(limit=4)) == 4


async def test_runner_reads_and_writes_it() -> None:
    def respond(request: ModelRequest) -> Any:
        users = [i for i in cast(list[dict[str, Any]], request.input) if i.get("role") == "user"]
        return ResponseBuilders.output_message(f"{len(users)} user messages so far")

    model = TestModel(respond)
    config = RunConfig(model_provider=TestModelProvider(model))
    agent = Agent(name="Assistant")
    session = WorkflowSession("conversation-1")

    await Runner.run(agent, "first", session=session, run_config=config)
    second = await Runner.run(agent, "second", session=session, run_config=config)

    assert second.final_output == "2 user messages so far"
    # A new session built from the export continues the same conversation.
    carried = WorkflowSession("conversation-1", session.export_items())
    third = await Runner.run(agent, "third", session=carried, run_config=config)
    assert third.final_output == "3 user messages so far"
    assert len(carried) == 6
