"""Workflow side: WorkflowSession, the Agents SDK's Session protocol in workflow state."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any, cast

from agents import TResponseInputItem
from agents.memory import SessionSettings
from pydantic_core import to_jsonable_python


class WorkflowSession:
    """Conversation memory that lives in the workflow itself, with no database.

    It implements the Agents SDK ``Session`` protocol, so ``Runner.run(agent, message,
    session=session)`` reads the history before the run and appends the run's items after it,
    as with ``SQLiteSession``. The items are plain JSON data held by the workflow, so they are
    durable through Temporal's history and replay deterministically.

    A workflow that continues as new carries the items into its next run::

        workflow.continue_as_new(MyInput(items=session.export_items()))
        ...
        session = WorkflowSession("conversation-1", items=input.items)

    Args:
        session_id: Identifies the conversation (the workflow id is a good choice).
        items: Items to start with, e.g. those exported by the previous run.
        session_settings: Default settings, such as a limit on the items a run reads.
    """

    session_id: str
    session_settings: SessionSettings | None

    def __init__(
        self,
        session_id: str,
        items: Iterable[TResponseInputItem | dict[str, Any]] = (),
        session_settings: SessionSettings | None = None,
    ) -> None:
        self.session_id = session_id
        self.session_settings = session_settings
        self._items: list[dict[str, Any]] = [_plain(item) for item in items]

    def __len__(self) -> int:
        return len(self._items)

    async def get_items(self, limit: int | None = None) -> list[TResponseInputItem]:
        """The stored items, oldest first.

        Args:
            limit: Return only the newest ``limit`` items (still oldest first). When None, the
                session settings' limit applies, if any.

        Returns:
            Copies of the items: changing them does not change the session.
        """
        if limit is None and self.session_settings is not None:
            limit = self.session_settings.limit
        items = self._items if limit is None else self._items[-limit:] if limit > 0 else []
        return cast(list[TResponseInputItem], copy.deepcopy(items))

    async def add_items(self, items: list[TResponseInputItem]) -> None:
        """Append items to the history."""
        self._items.extend(_plain(item) for item in items)

    async def pop_item(self) -> TResponseInputItem | None:
        """Remove and return the newest item, or None when the session is empty."""
        if not self._items:
            return None
        return cast(TResponseInputItem, self._items.pop())

    async def clear_session(self) -> None:
        """Remove every item."""
        self._items.clear()

    def export_items(self) -> list[dict[str, Any]]:
        """A copy of every item as plain JSON data, to carry into a continue-as-new input."""
        return copy.deepcopy(self._items)

    def truncate(self, length: int) -> None:
        """Drop the items after the first ``length``: undo what a failed run appended."""
        del self._items[length:]


def _plain(item: Any) -> dict[str, Any]:
    # The SDK hands sessions TypedDicts, but a caller may pass OpenAI pydantic items; storing
    # plain JSON keeps the session serializable and independent of the objects it was given.
    return cast(dict[str, Any], to_jsonable_python(item))
