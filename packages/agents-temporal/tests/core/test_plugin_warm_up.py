"""The plugin's worker warm-up builds what a fresh worker's first workflow tasks would build.

In a fresh interpreter: decoding a workflow's input, making an activity a tool and making the
Agents SDK's ``Usage`` (what every conversation's first workflow task does) build pydantic
schemas the first time, and none once `warm_up_worker` has seen the worker's configuration.
Counted, not timed. `tests/reliability/test_worker_warm_up.py` checks the same through the
worker app and a real server.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

_PROBE = """
import sys
from datetime import timedelta
from types import SimpleNamespace

from agents import Usage
from pydantic import BaseModel
from pydantic._internal._generate_schema import GenerateSchema
from pydantic.json_schema import GenerateJsonSchema
from temporalio import activity, workflow

from agents_temporal._payloads.converter import with_agents_converter
from agents_temporal._plugin import warm_up_worker
from agents_temporal.workflow import activity_as_tool


class Order(BaseModel):
    order_id: str


@activity.defn
async def look_up(order: Order) -> Order:
    \"\"\"Look an order up.\"\"\"
    return order


@workflow.defn
class Shop:
    @workflow.run
    async def run(self, order: Order) -> None:
        pass


builds = 0


def counted(method):
    def count(*args, **kwargs):
        global builds
        builds += 1
        return method(*args, **kwargs)
    return count


GenerateSchema.__init__ = counted(GenerateSchema.__init__)
GenerateJsonSchema.generate = counted(GenerateJsonSchema.generate)
data_converter = with_agents_converter(None)
if sys.argv[1] == "warm":
    client = SimpleNamespace(data_converter=data_converter)
    warm_up_worker({"client": client, "workflows": [Shop], "activities": [look_up]})
builds = 0
converter = data_converter.payload_converter
converter.from_payloads(converter.to_payloads([Order(order_id="o-1")]), [Order])
activity_as_tool(look_up, start_to_close_timeout=timedelta(seconds=5))
Usage()
print(builds)
"""


@pytest.mark.parametrize("warm", [False, True])
def test_the_warm_up_leaves_nothing_to_build(warm: bool) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, "warm" if warm else "cold"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    builds = int(result.stdout.split()[-1])
    # Cold, the first uses build (else this test proves nothing); warmed up, nothing is left.
    assert (builds == 0) is warm, builds
