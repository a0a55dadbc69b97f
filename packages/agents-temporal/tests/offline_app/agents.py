"""A two-agent app for the offline model base and `run_app`: a greeter and a clerk."""

from __future__ import annotations

from datetime import timedelta

from agents import Agent, ModelResponse, handoff
from temporalio import activity

from agents_temporal.offline import OfflineModel, OfflineModelProvider, OfflineTurn
from agents_temporal.workflow import activity_as_tool

GREETER = "Greeter"
CLERK = "Clerk"

STOCK = {"lamp": 3, "desk": 0}
"""The shop's stock, which the activity reads (the app's resource)."""

RESERVED: list[str] = []
"""What the approved tool reserved."""


@activity.defn(name="shelf.count_stock")
async def count_stock(item: str) -> str:
    """How many of an item are in stock."""
    return f"{STOCK.get(item, 0)} {item}(s) in stock"


@activity.defn(name="shelf.reserve")
async def reserve(item: str) -> str:
    """Reserve an item for the customer."""
    RESERVED.append(item)
    return f"reserved one {item}"


def build_agents() -> Agent[None]:
    timeout = timedelta(seconds=10)
    clerk = Agent[None](
        name=CLERK,
        instructions="Count stock and reserve items.",
        tools=[
            activity_as_tool(count_stock, start_to_close_timeout=timeout),
            activity_as_tool(reserve, start_to_close_timeout=timeout, needs_approval=True),
        ],
    )
    greeter = Agent[None](
        name=GREETER,
        instructions="Greet, and send stock questions to the clerk.",
        handoffs=[handoff(clerk)],
    )
    clerk.handoffs = [greeter]
    return greeter


class ShelfModel(OfflineModel):
    """Plays both agents by keyword; tells them apart by the calling agent's name."""

    def respond(self, turn: OfflineTurn) -> ModelResponse:
        if turn.agent == GREETER:
            if turn.has("stock", "reserve"):
                return self.hand_off(turn, CLERK)
            return self.say(f"Hello! ({len(turn.tool_outputs)} tool results this turn)")
        if turn.agent == CLERK:
            if turn.tool_outputs:
                name, output = turn.tool_outputs[-1]
                return self.say(f"{name}: {output}")
            item = "lamp" if turn.has("lamp") else "desk"
            return self.call_tool(
                "reserve" if turn.has("reserve") else "count_stock", {"item": item}
            )
        return self.say(f"unknown agent {turn.agent!r}")


def shelf_provider() -> OfflineModelProvider:
    return OfflineModelProvider(ShelfModel)
