"""The approval card, shown in the inbox and inline in the chat: approve, reject, or edit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

import streamlit as st

from agent_console._text import pretty_json, since, until
from agent_console._ui_common import Page, flash
from agents_temporal.client import ConversationRefused, PendingApproval


def approval_card(page: Page, workflow_id: str, approval: PendingApproval, *, where: str) -> None:
    """A bordered card for one pending approval, with its three decisions.

    Args:
        page: The page context.
        workflow_id: The conversation the approval belongs to.
        approval: What waits.
        where: ``inbox`` or ``chat``; keeps widget keys apart when both show the same approval.
    """
    key = f"{where}:{workflow_id}:{approval.id}"
    refusal = page.operator.refusal()
    with st.container(border=True, key=f"card:{key}"):
        st.markdown(
            f":material/front_hand: **{approval.agent}** wants to call `{approval.tool}` · "
            f"approval `{approval.id}`"
        )
        expires = f" · expires in {until(approval.expires_at)}" if approval.expires_at else ""
        st.caption(f"Turn {approval.turn} · waiting {since(approval.requested_at)}{expires}")
        st.code(pretty_json(approval.arguments), language="json")
        if refusal is not None:
            st.warning(refusal)
        reason = st.text_input("Reason", key=f"reason:{key}", placeholder="Why (needed to reject)")
        approve_column, reject_column = st.columns(2)
        if approve_column.button(
            "Approve", key=f"approve:{key}", type="primary", disabled=refusal is not None
        ):
            _decide(page, workflow_id, approval, lambda: _approve(page, workflow_id, approval))
        if reject_column.button("Reject", key=f"reject:{key}", disabled=refusal is not None):
            if not reason.strip():
                flash("warning", "Give a reason to reject: the agent tells the user why.")
                st.rerun()
            _decide(
                page,
                workflow_id,
                approval,
                lambda: _reject(page, workflow_id, approval, reason.strip()),
            )
        with st.expander("Approve with edited arguments"):
            edited = st.text_area(
                "Arguments (JSON)",
                value=pretty_json(approval.arguments),
                key=f"edit:{key}",
                height=160,
            )
            if st.button(
                "Approve with these arguments",
                key=f"approve_edited:{key}",
                disabled=refusal is not None,
            ):
                arguments = _parse_arguments(edited)
                if arguments is None:
                    flash("error", "The edited arguments are not a JSON object: fix and retry.")
                    st.rerun()
                _decide(
                    page,
                    workflow_id,
                    approval,
                    lambda: _approve(page, workflow_id, approval, arguments),
                )


def _parse_arguments(text: str) -> dict[str, Any] | None:
    try:
        value: Any = json.loads(text)
    except ValueError:
        return None
    return cast(dict[str, Any], value) if isinstance(value, dict) else None


def _operator(page: Page) -> str:
    name, refusal = page.operator.name, page.operator.refusal()
    if name is None or refusal is not None:
        # The buttons are disabled then; this keeps a decision from ever going out unnamed.
        raise PermissionError(refusal or "No operator identity: sign in to decide approvals.")
    return name


def _approve(
    page: Page, workflow_id: str, approval: PendingApproval, arguments: dict[str, Any] | None = None
) -> str:
    operator = _operator(page)
    page.console.run(
        page.console.service.approve(
            workflow_id, approval.id, operator=operator, arguments=arguments
        )
    )
    edited = " with edited arguments" if arguments is not None else ""
    return f"Approved {approval.tool} ({approval.id}){edited} as {operator}."


def _reject(page: Page, workflow_id: str, approval: PendingApproval, reason: str) -> str:
    operator = _operator(page)
    page.console.run(
        page.console.service.reject(workflow_id, approval.id, operator=operator, reason=reason)
    )
    return f"Rejected {approval.tool} ({approval.id}) as {operator}: {reason}"


def _decide(
    page: Page, workflow_id: str, approval: PendingApproval, action: Callable[[], str]
) -> None:
    try:
        flash("success", action())
    except ConversationRefused as refused:
        flash("error", f"The conversation refused the decision: {refused.message}")
    except PermissionError as refused:
        flash("error", str(refused))
    except Exception as error:
        flash("error", f"Could not record the decision: {type(error).__name__}: {error}")
    st.rerun()
