"""Workflows that use what the sandbox wraps: proxied classes, function-level imports."""

from __future__ import annotations

import builtins
import collections.abc
import datetime
from typing import Any

from temporalio import workflow


@workflow.defn
class ChecksProxiedClasses:
    """Hands the sandbox's proxied ``datetime`` classes to ``isinstance`` and ``issubclass``."""

    @workflow.run
    async def run(self) -> dict[str, str | bool]:
        # Both are restricted proxies here, whatever their static types say.
        date: Any = datetime.date
        date_time: Any = datetime.datetime
        today = workflow.now().date()
        return {
            "datetime.date": type(date).__name__,
            "builtins.isinstance": type(builtins.isinstance).__name__,
            "isinstance(today, date)": isinstance(today, date),
            "isinstance(date(...), date)": isinstance(date(2026, 1, 1), date),
            "isinstance(date, type)": isinstance(date, type),
            "isinstance(text, date)": isinstance("today", date),
            "issubclass(date, date)": issubclass(date, date),
            "issubclass(datetime, date)": issubclass(date_time, date),
            "issubclass(date, Hashable)": issubclass(date, collections.abc.Hashable),
            "issubclass(date, datetime)": issubclass(date, date_time),
        }


@workflow.defn
class ImportsInFunctions:
    """Imports a sibling module inside a loop, as the Agents SDK's loop does inside functions."""

    @workflow.run
    async def run(self, times: int) -> list[bool]:
        same: list[bool] = []
        for _ in range(times):
            from . import determinism_workflows
            from .determinism_workflows import first_step

            same.append(first_step is determinism_workflows.first_step)
        return same
