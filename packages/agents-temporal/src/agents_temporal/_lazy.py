"""Both sides: a public module whose names load on first use (PEP 562).

A public module lists where each of its names lives; ``lazy_names`` gives it the module-level
``__getattr__`` and ``__dir__`` that import the home module when a name is first looked up.
So importing one light name (``agents_temporal.client``, the offline response prefix) does not
pull in the Agents SDK, OpenAI's client and MCP, which a client process such as the console
never needs. The public module keeps ``TYPE_CHECKING`` imports of the same names, which is what
type checkers and IDEs read.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any


def lazy_names(
    namespace: MutableMapping[str, Any], homes: Mapping[str, str | None]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a module whose names load on first use.

    Args:
        namespace: The module's ``globals()``; each name is cached there once loaded, so later
            look-ups are plain attribute reads.
        homes: For each lazy name, the module that defines it, relative to this one (``"._x"``),
            or ``None`` when the name is a submodule of this package itself.
    """
    module = str(namespace["__name__"])
    # Homes are relative to the package the module is in (itself, for a package's __init__).
    package = str(namespace["__package__"])

    def module_getattr(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        home = homes[name]
        if home is None:
            value: Any = importlib.import_module(f".{name}", module)
        else:
            value = getattr(importlib.import_module(home, package), name)
        namespace[name] = value
        return value

    def module_dir() -> list[str]:
        return sorted({*namespace, *homes})

    return module_getattr, module_dir
