"""CPU the model activity spends rebuilding an agent's function tools, per model call.

The model activity rebuilds a stand-in for every tool of the agent on every call
(``agents_temporal._model.specs.rebuild_tool``). This compares, in one run, building each
function tool anew (as before) with handing out a copy of one built once per distinct spec (as
now), for agents of 1 and 10 tools. The two take turns in every round; the figure is this
process's CPU time.

Usage: ``uv run python bench/tool_rebuild.py [--calls 2000] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from agents import FunctionTool, function_tool

from agents_temporal._model.specs import (
    _build,  # pyright: ignore[reportPrivateUsage]
    rebuild_tool,
    tool_spec,
)
from agents_temporal._model_call import ToolSpec


def _tools(count: int) -> list[ToolSpec]:
    specs: list[ToolSpec] = []
    for n in range(count):

        def lookup(order_id: str, customer_email: str, limit: int = 10, note: str | None = None):
            """Look up a customer's orders."""
            return order_id

        lookup.__name__ = f"lookup_{n}"
        specs.append(tool_spec(function_tool(lookup)))
    return specs


def _each_anew(specs: list[ToolSpec]) -> list[Any]:
    return [_build(FunctionTool, spec.fields) for spec in specs]


def _copies_of_one(specs: list[ToolSpec]) -> list[Any]:
    return [rebuild_tool(spec) for spec in specs]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ways: dict[str, Callable[[list[ToolSpec]], list[Any]]] = {
        "built anew (before)": _each_anew,
        "copy of one built once (now)": _copies_of_one,
    }
    print(f"{'tools':>5}  {'way':32}{'CPU us/call':>12}{'ratio':>8}")
    for count in (1, 10):
        specs = _tools(count)
        cpu = dict.fromkeys(ways, 0.0)
        for _ in range(args.rounds):
            for name, way in ways.items():
                started = time.process_time()
                for _ in range(args.calls):
                    way(specs)
                cpu[name] += time.process_time() - started
        per_call = {name: s * 1e6 / (args.rounds * args.calls) for name, s in cpu.items()}
        before = per_call["built anew (before)"]
        for name, value in per_call.items():
            print(f"{count:>5}  {name:32}{value:12.1f}{value / before:8.2f}x")


if __name__ == "__main__":
    main()
