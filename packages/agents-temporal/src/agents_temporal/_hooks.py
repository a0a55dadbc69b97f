"""Run hooks that pass every hook on to the caller's hooks, in workflow code.

The library adds hooks of its own to a run (the calling agent's name for activity summaries,
token accounting) without taking the place of the hooks the caller passed. Forwarding is
generated from the Agents SDK's own `RunHooksBase`, so a hook that a later SDK adds is passed
on too, instead of being dropped by a hand-written list.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from agents import RunHooks
from agents.lifecycle import RunHooksBase


class ForwardingRunHooks(RunHooks[Any]):
    """Run hooks that forward every hook to ``inner``.

    Subclasses override the hooks they need and end with ``await super().on_...(...)``, which
    forwards that hook too.

    Args:
        inner: The caller's hooks; None forwards to hooks that do nothing.
    """

    def __init__(self, inner: RunHooks[Any] | None = None) -> None:
        self.inner: RunHooks[Any] = inner if inner is not None else RunHooks[Any]()


def _forwarder(name: str) -> Callable[..., Coroutine[Any, Any, Any]]:
    async def forward(self: ForwardingRunHooks, *args: Any, **kwargs: Any) -> Any:
        return await getattr(self.inner, name)(*args, **kwargs)

    forward.__name__ = forward.__qualname__ = name
    return forward


HOOK_NAMES: tuple[str, ...] = tuple(
    name
    for name, value in vars(RunHooksBase).items()
    if name.startswith("on_") and inspect.iscoroutinefunction(value)
)
"""Every hook the installed Agents SDK defines on `RunHooksBase`."""

for _name in HOOK_NAMES:
    setattr(ForwardingRunHooks, _name, _forwarder(_name))
