"""The approval card, shown in the inbox and inline in the chat: approve, reject, or edit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

import streamlit as st

from agent_console._service import NotTakenError
from agent_console._text import plain, pretty_json, since, until
from agent_console._ui_common import (
    Page,
    clear_note,
    flash,
    note,
    rerun_page_after_callback,
    show_note,
)
from agents_temporal.client import ApprovalContext, ConversationRefused, PendingApproval


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
            f":material/front_hand: **{plain(approval.agent)}** wants to call "
            f"`{approval.tool}` · approval `{approval.id}`"
        )
        expires = f" · expires in {until(approval.expires_at)}" if approval.expires_at else ""
        st.caption(f"Turn {approval.turn} · waiting {since(approval.requested_at)}{expires}")
        if approval.context is not None:
            st.markdown(f"**{plain(approval.context.summary)}**")
        if refusal is not None:
            st.warning(refusal)
        # The decision comes right after the one-line summary, the facts and arguments below
        # it: a refund card's facts once pushed the buttons below a 1280x720 window's fold.
        _decision_row(page, workflow_id, approval, key, disabled=refusal is not None)
        if approval.context is not None:
            _facts(approval.context)
        st.code(pretty_json(approval.arguments), language="json")
        _editor(page, workflow_id, approval, key, disabled=refusal is not None)


def _decision_row(
    page: Page, workflow_id: str, approval: PendingApproval, key: str, *, disabled: bool
) -> None:
    """The reason and the two decisions on one line, and the note they leave."""
    reason_column, approve_column, reject_column = st.columns(
        [4, 1, 1], vertical_alignment="bottom"
    )
    reason_column.text_input("Reason", key=f"reason:{key}", placeholder="Why (needed to reject)")
    # Decisions run in the buttons' callbacks, before the page draws again: by then the
    # approval may be gone from the page (decided in another console), and the click must
    # still be answered, with who decided first.
    approve_column.button(
        "Approve",
        key=f"approve:{key}",
        type="primary",
        disabled=disabled,
        on_click=_on_approve,
        args=(page, workflow_id, approval, key),
        width="stretch",
    )
    reject_column.button(
        "Reject",
        key=f"reject:{key}",
        disabled=disabled,
        on_click=_on_reject,
        args=(page, workflow_id, approval, key),
        width="stretch",
    )
    show_note(key)


def _facts(context: ApprovalContext) -> None:
    """The app's facts: what the operator decides on, in the domain's terms."""
    if context.facts:
        st.markdown("\n".join(f"- {plain(k)}: **{plain(v)}**" for k, v in context.facts.items()))


def _editor(
    page: Page, workflow_id: str, approval: PendingApproval, key: str, *, disabled: bool
) -> None:
    edit_key = f"edit:{key}"
    with st.expander("Approve with edited arguments", expanded=edit_key in _notes()):
        # Every property of the tool's schema is filled in (optional ones as null), so that
        # changing one value sends arguments the tool accepts. Streamlit keeps what the
        # operator typed under the widget's key, so a refused edit is never lost.
        edited = st.text_area(
            "Arguments (JSON)",
            value=json.dumps(approval.editable_arguments(), indent=2, ensure_ascii=False),
            key=edit_key,
            height=200,
        )
        st.button(
            "Approve with these arguments",
            key=f"approve_edited:{key}",
            disabled=disabled,
            on_click=_on_edited,
            args=(page, workflow_id, approval, key, edited),
        )
        show_note(edit_key)
        if approval.parameters_schema is not None:
            with st.popover("Schema of the arguments", icon=":material/data_object:"):
                st.code(json.dumps(approval.parameters_schema, indent=2), language="json")


def _on_approve(page: Page, workflow_id: str, approval: PendingApproval, key: str) -> None:
    _decide(key, lambda: _approve(page, workflow_id, approval))


def _on_reject(page: Page, workflow_id: str, approval: PendingApproval, key: str) -> None:
    reason = str(st.session_state.get(f"reason:{key}") or "").strip()
    if not reason:
        note(key, "warning", "Give a reason to reject: the agent tells the user why.")
        return
    _decide(key, lambda: _reject(page, workflow_id, approval, reason))


def _on_edited(
    page: Page, workflow_id: str, approval: PendingApproval, key: str, drawn: str
) -> None:
    edit_key = f"edit:{key}"
    text = str(st.session_state.get(edit_key, drawn))
    problem, arguments = parse_arguments(approval, text)
    if arguments is None:
        note(edit_key, "error", problem)
        return
    _decide(edit_key, lambda: _approve(page, workflow_id, approval, arguments))


def _notes() -> dict[str, Any]:
    notes: dict[str, Any] = st.session_state.get("notes", {})
    return notes


def parse_arguments(approval: PendingApproval, text: str) -> tuple[str, dict[str, Any] | None]:
    """The operator's edited arguments, or what is wrong with them (checked against the schema).

    Returns:
        ``("", arguments)`` when the tool's schema accepts them, else ``(problem, None)``.
    """
    try:
        value: Any = json.loads(text)
    except ValueError as error:
        return f"The edited arguments are not valid JSON ({error}): fix them and retry.", None
    if not isinstance(value, dict):
        return "The edited arguments must be a JSON object ({...}): fix them and retry.", None
    arguments = cast(dict[str, Any], value)
    problems = approval.argument_problems(arguments)
    if problems:
        listed = "; ".join(problems)
        return f"The tool {approval.tool!r} would refuse these arguments: {listed}.", None
    return "", arguments


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


def _decide(control: str, action: Callable[[], str]) -> None:
    """Run a decision; success is flashed at the top, a failure is noted at ``control``."""
    clear_note(control)
    rerun_page_after_callback()
    try:
        done = action()
    except ConversationRefused as refused:
        message = f"The conversation refused the decision: {refused.message}"
        note(control, "error", message)
        if refused.reason in _GONE:
            # The card leaves the page with the approval: say it where it stays visible.
            flash("warning", message)
    except (PermissionError, NotTakenError) as refused:
        note(control, "error", str(refused))
    except Exception as error:
        note(control, "error", f"Could not record the decision: {type(error).__name__}: {error}")
    else:
        # The card is gone once the decision is recorded; the confirmation goes to the top.
        flash("success", done)


_GONE = frozenset({"AlreadyDecided", "UnknownApproval", "ConversationClosed"})
"""Refusals after which the approval is no longer shown."""
