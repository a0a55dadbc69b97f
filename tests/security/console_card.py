"""One approval card, as the console draws it, for an operator the test chooses (for AppTest).

The card is the console's own (`agent_console._ui_approvals.approval_card`); only the backend is
a stand-in that records the decisions it is asked to send, so a test can tell whether a
decision would have reached the conversation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from agent_console._backend import Console
from agent_console._identity import Operator
from agent_console._service import Overview
from agent_console._ui_approvals import approval_card
from agent_console._ui_common import Page, show_flashes
from agents_temporal.client import PendingApproval

_T = TypeVar("_T")

WORKFLOW_ID = "support-security-test"
APPROVAL = PendingApproval(
    id="approval-1",
    call_id="call-1",
    tool="issue_refund",
    arguments='{"request": {"order_id": "ORD-10042", "amount_cents": 15000}}',
    agent="Refunds",
    turn=1,
    requested_at=datetime(2025, 3, 14, 15, 30, tzinfo=UTC),
)
OPERATOR_KEY = "security_test_operator"
"""Session-state key of the `Operator` the page runs as."""

SENT: list[dict[str, Any]] = []
"""Every decision the card asked the backend to send."""


class _Service:
    async def approve(
        self,
        workflow_id: str,
        approval_id: str,
        *,
        operator: str,
        arguments: dict[str, Any] | None = None,
    ) -> None:
        SENT.append({"approve": True, "operator": operator, "arguments": arguments})

    async def reject(
        self, workflow_id: str, approval_id: str, *, operator: str, reason: str | None
    ) -> None:
        SENT.append({"approve": False, "operator": operator, "reason": reason})


class _Backend:
    def __init__(self) -> None:
        self.service = _Service()

    def run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        return asyncio.run(coroutine)


def page_for(operator: Operator) -> Page:
    """What the card needs of a page: the operator and a backend (the stand-in)."""
    return Page(
        console=cast(Console, _Backend()),
        operator=operator,
        app=cast(Any, None),
        health=cast(Any, None),
        overview=Overview(),
    )


def show_card() -> None:
    """The page body: flashed messages, then the card, as the inbox shows them."""
    import streamlit as st

    show_flashes()
    approval_card(page_for(st.session_state[OPERATOR_KEY]), WORKFLOW_ID, APPROVAL, where="inbox")
