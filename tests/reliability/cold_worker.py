"""A fresh worker process's first conversations, counting the pydantic schemas built in them.

Run by `test_worker_warm_up.py` in a new interpreter (a test process has built everything long
before): ``python -m tests.reliability.cold_worker <temporal address> <task queue> <folder>``.
It serves the support app with the worker app's own run loop, holds a few conversations of one
shape (an order look-up, then a refund that waits for approval) one after another, and prints
one JSON line: the schemas built outside workflow code before the first conversation, the
schemas built inside workflow tasks during each conversation, and the approvals given.
"""

from __future__ import annotations

import asyncio
import json
import random  # noqa: TID251 - seeded test data, never in a workflow
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic._internal._generate_schema import GenerateSchema
from pydantic.json_schema import GenerateJsonSchema
from temporalio import workflow

from agents_temporal.process import run_main
from support_tools import StoreDatabase
from tests.reliability.driver import ResilientConversation
from tests.reliability.plans import plan_conversations, read_store
from tests.reliability.stack import WorkerConfig, connect_client, in_process_worker

CONVERSATIONS = 3

built: Counter[str] = Counter()
"""Schema builds ("validator": a core schema, "json": a JSON schema), by where they ran."""


def _count(kind: str) -> None:
    built[f"{kind} {'workflow' if workflow.in_workflow() else 'outside'}"] += 1


def _install_counters() -> None:
    """Count every core-schema build (model, dataclass, adapter) and JSON schema generation."""
    init = GenerateSchema.__init__
    generate = GenerateJsonSchema.generate

    def counting_init(self: GenerateSchema, *args: Any, **kwargs: Any) -> None:
        _count("validator")
        init(self, *args, **kwargs)

    def counting_generate(self: GenerateJsonSchema, *args: Any, **kwargs: Any) -> Any:
        _count("json")
        return generate(self, *args, **kwargs)

    GenerateSchema.__init__ = counting_init
    GenerateJsonSchema.generate = counting_generate


def _in_workflows() -> int:
    return built["validator workflow"] + built["json workflow"]


async def main(address: str, task_queue: str, folder: Path) -> None:
    _install_counters()
    config = WorkerConfig(address, task_queue, folder)
    async with StoreDatabase.from_url(config.database_url) as database:
        await database.create_schema()
        await database.seed()
    async with in_process_worker(config):
        at_start = built["validator outside"] + built["json outside"]
        client = await connect_client(config)
        plans = plan_conversations(
            await read_store(config.database_url),
            random.Random(21),
            CONVERSATIONS,
            prefix=task_queue,
            approval_share=1.0,
            ask_first=1.0,
        )
        per_conversation: list[int] = []
        approvals = 0
        for plan in plans:
            before = _in_workflows()
            approvals += (await ResilientConversation(client, plan, task_queue).run()).approvals
            per_conversation.append(_in_workflows() - before)
    report = {"at_start": at_start, "in_workflow_tasks": per_conversation, "approvals": approvals}
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    run_main(lambda: asyncio.run(main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))))
