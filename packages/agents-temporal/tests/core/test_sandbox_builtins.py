"""The plugin's stand-ins for the sandbox's builtin wrappers give the sandbox's answers.

``isinstance`` and ``issubclass`` must still see through a restricted proxy in either argument,
in the plugin's workflows and in those of a worker on Temporal's own sandboxed runner in the same
process, and the real builtins must come back once no activation runs. The importer's shortcut
must return exactly what the sandbox's importer returns, and take only loaded modules. The
restricted builtins themselves (``open``, ``input``, ``breakpoint``) are in
``test_determinism_guard.py``.
"""

from __future__ import annotations

import builtins
import collections.abc
import datetime
import threading
import uuid
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, cast

import agents.run_internal.tool_caller
import pytest
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import _importer as sdk_importer
from temporalio.worker.workflow_sandbox._importer import Importer
from temporalio.worker.workflow_sandbox._restrictions import (
    RestrictionContext,
    SandboxRestrictions,
    _RestrictedProxy,  # pyright: ignore[reportPrivateUsage]
)
from temporalio.worker.workflow_sandbox._runner import (
    _Instance,  # pyright: ignore[reportPrivateUsage]
)

from agents_temporal import OpenAIAgentsPlugin, _sandbox_builtins
from agents_temporal._sandbox_builtins import (
    install,
    sandbox_isinstance,
    sandbox_issubclass,
    sdk_wrappers,
    use_fast_imports,
)
from tests.core.builtins_workflows import ChecksProxiedClasses, ImportsInFunctions

_REAL_ISINSTANCE = builtins.isinstance
_REAL_ISSUBCLASS = builtins.issubclass
_RESTRICTIONS = SandboxRestrictions.default.with_passthrough_modules("agents")


def _proxied_date() -> Any:
    """``datetime.date`` as workflow code sees it: behind a restricted proxy."""
    matcher = SandboxRestrictions.default.invalid_module_members.child_matcher("datetime", "date")
    assert matcher is not None
    return _RestrictedProxy("datetime.date", datetime.date, RestrictionContext(), matcher)


def _importer() -> Importer:
    return Importer(_RESTRICTIONS, RestrictionContext())


@pytest.fixture(autouse=True)
def installed() -> None:
    install()  # what every plugin worker does when it starts (idempotent, process-wide)


def test_a_proxy_in_either_argument_is_unwrapped() -> None:
    date = _proxied_date()
    # Why the sandbox unwraps at all: the real builtins get these wrong.
    assert not _REAL_ISSUBCLASS(date, datetime.date)
    with pytest.raises(TypeError):
        _REAL_ISSUBCLASS(date, collections.abc.Hashable)

    assert sandbox_issubclass(date, datetime.date)
    assert sandbox_issubclass(date, collections.abc.Hashable)
    assert sandbox_issubclass(datetime.datetime, date)
    assert not sandbox_issubclass(date, datetime.datetime)
    assert sandbox_isinstance(datetime.date(2026, 1, 1), date)
    assert sandbox_isinstance(date(2026, 1, 1), date)
    assert sandbox_isinstance(date, type)
    assert not sandbox_isinstance("today", date)
    assert sandbox_isinstance(1, (str, int))
    with pytest.raises(TypeError, match="isinstance"):
        sandbox_isinstance(1, "not a type")


def _applied_builtins(importer: Importer) -> Iterator[tuple[object, object]]:
    with importer.applied():
        yield builtins.isinstance, builtins.issubclass


def test_the_plain_functions_are_in_builtins_while_any_activation_runs() -> None:
    first, second = _importer(), _importer()
    entered, other_done = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def activation() -> None:
        with first.applied():
            seen["first"] = builtins.isinstance
            entered.set()
            other_done.wait()
            seen["first, after the other ended"] = builtins.isinstance

    thread = threading.Thread(target=activation)
    thread.start()
    try:
        assert entered.wait(timeout=30)
        with second.applied():
            seen["both"] = builtins.isinstance, builtins.issubclass
    finally:
        other_done.set()
        thread.join()

    assert seen["first"] is sandbox_isinstance
    assert seen["both"] == (sandbox_isinstance, sandbox_issubclass)
    # The count of activations is kept: one ending leaves the other's builtins in place.
    assert seen["first, after the other ended"] is sandbox_isinstance
    assert builtins.isinstance is _REAL_ISINSTANCE
    assert builtins.issubclass is _REAL_ISSUBCLASS


def test_sdk_wrappers_put_the_sandbox_objects_back_for_the_block() -> None:
    with sdk_wrappers():
        [(inside, _)] = list(_applied_builtins(_importer()))
    [(after, _)] = list(_applied_builtins(_importer()))
    # The SDK's shared object itself, as before the plugin.
    assert inside is _sandbox_builtins._SDK_ISINSTANCE  # pyright: ignore[reportPrivateUsage]
    assert after is sandbox_isinstance


def _counting(calls: list[str], import_func: Callable[..., ModuleType]) -> Callable[..., Any]:
    def counted(name: str, *args: Any, **kwargs: Any) -> ModuleType:
        calls.append(name)
        return import_func(name, *args, **kwargs)

    return counted


_TOOL_CALLER = {
    "__name__": agents.run_internal.tool_caller.__name__,
    "__package__": agents.run_internal.tool_caller.__package__,
    "__spec__": agents.run_internal.tool_caller.__spec__,
}


@pytest.mark.parametrize(
    ("statement", "module_globals"),
    [
        ("from os import path as found", {}),
        ("from json import decoder as found", {}),
        ("from datetime import date as found", {}),  # a restricted module
        ("from .tool_execution import get_mapping_or_attr as found", _TOOL_CALLER),
        ("from ..lifecycle import RunHooks as found", _TOOL_CALLER),
        ("from . import tool_execution as found", _TOOL_CALLER),
    ],
)
def test_a_loaded_module_skips_the_sandbox_importer(
    statement: str, module_globals: dict[str, Any]
) -> None:
    importer = _importer()
    sandbox_calls: list[str] = []
    importer.import_func = _counting(sandbox_calls, importer.import_func)
    use_fast_imports(importer)
    found: list[Any] = []
    with importer.applied():
        for _ in range(3):
            namespace = dict(module_globals)
            exec(statement, namespace)
            found.append(namespace["found"])
    # The first import loads the module through the sandbox's importer; the others do not.
    assert len(sandbox_calls) == 1
    first = found[0]
    if type(first) is _RestrictedProxy:  # each attribute access makes a new proxy
        assert all(type(f) is _RestrictedProxy for f in found)
        found = [RestrictionContext.unwrap_if_proxied(f) for f in found]
    assert all(f is found[0] for f in found)


@pytest.mark.parametrize(
    ("statement", "module_globals", "error"),
    [
        ("from ....beyond import top", _TOOL_CALLER, "beyond top-level package"),
        ("from .no_such_module import name", _TOOL_CALLER, "No module named"),
        ("from os import no_such_name", {}, "cannot import name"),
        ("from . import no_such_module", _TOOL_CALLER, "cannot import name"),
    ],
)
def test_what_is_not_loaded_gets_the_sandbox_importers_answer(
    statement: str, module_globals: dict[str, Any], error: str
) -> None:
    importer = _importer()
    sandbox_calls: list[str] = []
    importer.import_func = _counting(sandbox_calls, importer.import_func)
    use_fast_imports(importer)
    with importer.applied():
        exec("import os, agents.run_internal.tool_caller", {})
        sandbox_calls.clear()
        for _ in range(2):
            with pytest.raises(ImportError, match=error):
                exec(statement, dict(module_globals))
    if "os import" not in statement:  # `os` is loaded: its missing name is the `from`'s error
        assert len(sandbox_calls) >= 2


def test_imports_wait_for_install() -> None:
    importer = _importer()
    sdk_import = importer.import_func
    with sdk_wrappers():
        use_fast_imports(importer)
    assert importer.import_func == sdk_import


def test_the_sdk_names_the_plugin_relies_on() -> None:
    # If one of these moves in a new `temporalio`, the plugin's stand-ins must move with it.
    shared = cast(dict[str, object], sdk_importer._thread_local_builtins)  # pyright: ignore[reportPrivateUsage]
    assert shared["isinstance"] is _sandbox_builtins._SDK_ISINSTANCE  # pyright: ignore[reportPrivateUsage]
    assert shared["issubclass"] is _sandbox_builtins._SDK_ISSUBCLASS  # pyright: ignore[reportPrivateUsage]
    assert _sandbox_builtins._ISINSTANCE is _REAL_ISINSTANCE  # pyright: ignore[reportPrivateUsage]
    assert _sandbox_builtins._ISSUBCLASS is _REAL_ISSUBCLASS  # pyright: ignore[reportPrivateUsage]
    # Every importer applies those shared objects for isinstance and issubclass.
    importer = _importer()
    entries = cast(list[tuple[str, object, object]], importer.restricted_builtins)
    overrides = {name: override for name, override, _ in entries}
    assert overrides["isinstance"] is shared["isinstance"]
    assert overrides["issubclass"] is shared["issubclass"]
    # The importer's own parts the shortcut reads.
    assert isinstance(importer.new_modules, dict)
    assert isinstance(importer.modules_checked_for_restrictions, set)
    assert importer.import_func == importer._import  # pyright: ignore[reportPrivateUsage]
    assert callable(_Instance._create_instance)  # pyright: ignore[reportPrivateUsage]
    # A proxied class is exactly a `_RestrictedProxy` (the stand-ins test the type with `is`).
    with importer.applied():
        namespace: dict[str, Any] = {}
        exec("import datetime; date = datetime.date", namespace)
    assert type(namespace["date"]) is _RestrictedProxy


_PROXIED_ANSWERS = {
    "datetime.date": "_RestrictedProxy",
    "builtins.isinstance": "function",
    "isinstance(today, date)": True,
    "isinstance(date(...), date)": True,
    "isinstance(date, type)": True,
    "isinstance(text, date)": False,
    "issubclass(date, date)": True,
    "issubclass(datetime, date)": True,
    "issubclass(date, Hashable)": True,
    "issubclass(date, datetime)": False,
}


async def test_workflows_on_both_runners_see_through_proxies(
    temporal_client: Client, task_queue: str
) -> None:
    config = temporal_client.config()
    config["plugins"] = [OpenAIAgentsPlugin()]
    plugin_client = Client(**config)
    temporal_queue = f"{task_queue}-temporal-runner"
    # A worker on Temporal's own runner, without the plugin, in the same process as a plugin
    # worker: its activations get the same plain functions, with the same answers.
    async with (
        Worker(plugin_client, task_queue=task_queue, workflows=[ChecksProxiedClasses]),
        Worker(
            temporal_client,
            task_queue=temporal_queue,
            workflows=[ChecksProxiedClasses],
            workflow_runner=SandboxedWorkflowRunner(),
        ),
    ):
        for client, queue in ((plugin_client, task_queue), (temporal_client, temporal_queue)):
            answers = await client.execute_workflow(
                ChecksProxiedClasses.run,
                id=f"proxied-classes-{uuid.uuid4()}",  # noqa: TID251 - test code
                task_queue=queue,
            )
            assert answers == _PROXIED_ANSWERS, queue


async def test_function_level_imports_of_loaded_modules_skip_the_sandbox_importer(
    temporal_client: Client, task_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    imported: list[str] = []
    sdk_import = Importer._import  # pyright: ignore[reportPrivateUsage]

    def recording(self: Importer, name: str, *args: Any, **kwargs: Any) -> ModuleType:
        imported.append(name)
        return sdk_import(self, name, *args, **kwargs)

    monkeypatch.setattr(Importer, "_import", recording)
    config = temporal_client.config()
    config["plugins"] = [OpenAIAgentsPlugin()]
    client = Client(**config)
    async with Worker(client, task_queue=task_queue, workflows=[ImportsInFunctions]):
        same = await client.execute_workflow(
            ImportsInFunctions.run,
            20,
            id=f"function-imports-{uuid.uuid4()}",  # noqa: TID251 - test code
            task_queue=task_queue,
        )
    assert same == [True] * 20
    # Loaded by the first turn of the loop (with what the module imports); the other 19 turns
    # import nothing through the sandbox's importer.
    assert imported.count("determinism_workflows") == 1
    assert imported[-1] == "determinism_workflows"
