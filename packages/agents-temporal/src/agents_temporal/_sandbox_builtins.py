"""Worker: cheaper stand-ins for the builtins Temporal's workflow sandbox wraps on the hot path.

While any workflow activation runs, the sandbox replaces ``builtins.isinstance`` and
``builtins.issubclass``, for every thread of the process, with an object whose call reads a
thread-local, then calls a ``functools.partial`` that unwraps a restricted proxy from either
argument before calling the real builtin: fifteen times the builtin's cost or more, on the
1,500 or so calls that one model call of an agent workflow makes. ``install`` has the same
shared objects put a plain function in ``builtins`` instead, which goes straight to the real
builtin unless an argument is a restricted proxy, and then unwraps it as the sandbox does: a
sixth to an eighth of the wrapper's cost. Unwrapping is right in every thread (outside a
sandbox there is no proxy to unwrap), so the function needs no thread-local; the objects still
count who applied them and still put the real builtin back when the last activation of the
process ends, so Temporal's own sandboxed runner, in the same process, keeps working: its
activations get the same function.

Every function-level import in sandboxed code (the Agents SDK's loop makes about fifteen per
model call, ``from .tool_actions import ...`` and the like) goes through the sandbox's importer,
which resolves the name and then runs ``importlib.__import__`` in Python even when the module is
long loaded. ``use_fast_imports`` gives one instance's importer a first step that returns the
module straight from the sandbox's own ``sys.modules`` when that is exactly what the importer
would return: the module is loaded and initialized, already checked for restrictions, and
every name imported from a package is already one of its attributes (otherwise ``importlib``
would import it as a submodule). Anything else goes to the sandbox's importer unchanged.

Both rely on private ``temporalio`` names: ``pyproject.toml`` pins ``temporalio`` to a minor
series, and ``tests/core/test_sandbox_builtins.py`` fails if they move.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Generator, Mapping, Sequence
from types import ModuleType
from typing import Any, cast

from temporalio.worker.workflow_sandbox import _importer as sdk_importer
from temporalio.worker.workflow_sandbox._importer import (
    Importer,
    _ThreadLocalCallable,  # pyright: ignore[reportPrivateUsage]
)
from temporalio.worker.workflow_sandbox._restrictions import (
    RestrictionContext,
    _RestrictedProxy,  # pyright: ignore[reportPrivateUsage]
)

# The sandbox's shared overrides: one per builtin for the whole process, used by every
# sandboxed workflow instance of any runner. `orig` is the real builtin.
_Override = _ThreadLocalCallable[..., bool]
_SDK_ISINSTANCE = cast(_Override, sdk_importer._get_thread_local_builtin("isinstance"))  # pyright: ignore[reportPrivateUsage]
_SDK_ISSUBCLASS = cast(_Override, sdk_importer._get_thread_local_builtin("issubclass"))  # pyright: ignore[reportPrivateUsage]
_ISINSTANCE: Callable[[object, Any], bool] = _SDK_ISINSTANCE.orig
_ISSUBCLASS: Callable[[type, Any], bool] = _SDK_ISSUBCLASS.orig
_unwrap = RestrictionContext.unwrap_if_proxied


def sandbox_isinstance(obj: object, class_or_tuple: Any, /) -> bool:
    """``isinstance``, with a restricted proxy in either argument unwrapped as the sandbox does."""
    if type(obj) is not _RestrictedProxy and type(class_or_tuple) is not _RestrictedProxy:
        return _ISINSTANCE(obj, class_or_tuple)
    return _ISINSTANCE(_unwrap(obj), _unwrap(class_or_tuple))


def sandbox_issubclass(cls: Any, class_or_tuple: Any, /) -> bool:
    """``issubclass``, with a restricted proxy in either argument unwrapped as the sandbox does."""
    if type(cls) is not _RestrictedProxy and type(class_or_tuple) is not _RestrictedProxy:
        return _ISSUBCLASS(cls, class_or_tuple)
    return _ISSUBCLASS(_unwrap(cls), _unwrap(class_or_tuple))


class _PlainFunctionOverride(_ThreadLocalCallable[..., bool]):
    """The sandbox's override of a builtin, putting a plain function in ``builtins``.

    ``install`` gives the SDK's shared objects this class, so that the importers that already
    hold them (the instances of any sandboxed runner) use it too. The SDK's own ``applied``
    still keeps the count of active activations, the thread-local (for code that kept a
    reference to the object itself) and the restoring of the real builtin after the last one.
    """

    replacement: Callable[..., bool]

    @contextlib.contextmanager
    def applied(self, obj: Any, attr: str, current: Callable[..., bool]) -> Generator[None]:
        with super().applied(obj, attr, current):
            # The count this activation holds keeps any other thread from putting the real
            # builtin back until this block ends; the lock orders this with other threads'
            # own setting of the object.
            with self.applied_counter_lock:
                setattr(obj, attr, self.replacement)
            yield


class _PlainIsinstance(_PlainFunctionOverride):
    replacement = staticmethod(sandbox_isinstance)


class _PlainIssubclass(_PlainFunctionOverride):
    replacement = staticmethod(sandbox_issubclass)


_OVERRIDES = ((_SDK_ISINSTANCE, _PlainIsinstance), (_SDK_ISSUBCLASS, _PlainIssubclass))
_installed = threading.Event()


def install() -> None:
    """Put the plain functions in place for every sandbox of the process (idempotent)."""
    for override, plain in _OVERRIDES:
        override.__class__ = plain
    _installed.set()


@contextlib.contextmanager
def sdk_wrappers() -> Generator[None]:
    """Run the SDK's own wrappers inside the block (for benchmarks that compare the two).

    Workflow instances created inside the block keep the SDK's importer for their life.
    """
    was_installed = _installed.is_set()
    for override, _ in _OVERRIDES:
        override.__class__ = _ThreadLocalCallable
    _installed.clear()
    try:
        yield
    finally:
        if was_installed:
            install()


def _absolute_name(name: str, globals: Mapping[str, object] | None, level: int) -> str | None:
    """The module an import names, if resolving it can neither warn nor fail; else None."""
    if level == 0:
        return name or None
    if level < 0 or not globals:
        return None
    package = globals.get("__package__")
    # With no `__package__`, or one that disagrees with `__spec__`, importlib warns: left to it.
    if type(package) is not str or not package:
        return None
    if getattr(globals.get("__spec__"), "parent", None) != package:
        return None
    bits = package.rsplit(".", level - 1)
    if len(bits) < level:
        return None  # beyond the top-level package: importlib's error
    return f"{bits[0]}.{name}" if name else bits[0]


def _has_names(package: ModuleType, fromlist: Sequence[str]) -> bool:
    """Whether importlib would take every name from the package as it is, importing nothing."""
    for item in fromlist:
        if type(item) is not str or item == "*" or not hasattr(package, item):
            return False
    return True


def use_fast_imports(importer: Importer) -> None:
    """Give ``importer`` a first step that returns loaded modules directly (see the module).

    Does nothing until ``install`` has run, and inside ``sdk_wrappers``.
    """
    if not _installed.is_set():
        return
    modules = importer.new_modules
    checked = importer.modules_checked_for_restrictions
    sandbox_import: Callable[..., ModuleType] = importer.import_func

    def import_(
        name: str,
        globals: Mapping[str, object] | None = None,
        locals: Mapping[str, object] | None = None,
        fromlist: Sequence[str] = (),
        level: int = 0,
    ) -> ModuleType:
        # Only `from ... import ...`: the plain `import a.b` already has the importer's own
        # shortcut. The importer is applied in this thread whenever this runs, so `modules`
        # is this thread's `sys.modules`.
        if fromlist and type(name) is str:
            full_name = _absolute_name(name, globals, level)
            module = None if full_name is None else modules.get(full_name)
            if (
                module is not None
                # A module still being initialized is importlib's to wait for.
                and not getattr(getattr(module, "__spec__", None), "_initializing", False)
                and module.__name__ in checked
                and (not hasattr(module, "__path__") or _has_names(module, fromlist))
            ):
                return module
        return sandbox_import(name, globals, locals, fromlist, level)

    importer.import_func = import_
