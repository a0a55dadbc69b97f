"""The chat pane: messages, inline events and approval cards, updated live while a turn runs."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from agent_console._chat_items import ChatItem, chat_items
from agent_console._live import ConversationFeed, LiveState, retry_sentences
from agent_console._text import plain
from agent_console._ui_approvals import approval_card
from agent_console._ui_common import (
    Page,
    clear_note,
    follow_callbacks,
    note,
    session_dict,
    show_note,
)
from agents_temporal.client import ConversationRefused, PendingApproval

_AGENT = ":material/smart_toy:"

RUNNING_REFRESH = timedelta(seconds=1)
"""How often the pane refreshes while an agent works."""

WAITING_REFRESH = timedelta(seconds=1.5)
"""How often it refreshes while a turn waits for an approval (decided elsewhere, maybe)."""


def feed_for(workflow_id: str) -> ConversationFeed:
    """The session's feed of a conversation (it remembers what it already read)."""
    feeds = session_dict("feeds")
    feed = feeds.get(workflow_id)
    if not isinstance(feed, ConversationFeed):
        feed = feeds[workflow_id] = ConversationFeed(workflow_id)
    return feed


def read_state(page: Page, workflow_id: str) -> LiveState:
    """The conversation as it stands now."""
    return page.console.run(page.console.service.refresh(feed_for(workflow_id)))


def refresh_interval(state: LiveState, busy: bool) -> timedelta | None:
    """How often the pane should refresh itself, or None when nothing can change by itself."""
    if busy or state.status.phase == "running":
        return RUNNING_REFRESH
    if state.status.phase == "awaiting_approval":
        return WAITING_REFRESH
    return None


def chat_pane(page: Page, workflow_id: str, state: LiveState) -> None:
    """The pane, refreshing itself (and only itself) while the conversation is busy."""
    busy = page.console.service.busy(workflow_id)
    interval = refresh_interval(state, busy)
    st.session_state[f"phase:{workflow_id}"] = state.status.phase
    st.fragment(_live_pane, run_every=interval)(page, workflow_id, state)


def _live_pane(page: Page, workflow_id: str, first: LiveState) -> None:
    follow_callbacks()
    # The first run of the fragment draws the state the page already read; each later run
    # (a fragment rerun) reads it afresh.
    runs = session_dict("pane_runs")
    page_run = st.session_state.get("page_run", 0)
    rerun = runs.get(workflow_id) == page_run
    runs[workflow_id] = page_run
    state = read_state(page, workflow_id) if rerun else first
    before = st.session_state.get(f"phase:{workflow_id}")
    st.session_state[f"phase:{workflow_id}"] = state.status.phase
    if rerun and before != state.status.phase:
        # The turn moved on: the rest of the page (timeline, usage, list) is stale now.
        st.rerun()
    _draw(page, workflow_id, state)


def _draw(page: Page, workflow_id: str, state: LiveState) -> None:
    pending = {a.id: a for a in state.status.pending_approvals}
    items = chat_items(state.entries, state.stream.verdicts)
    with st.container(key="chat-messages"):
        if not items:
            st.caption("No messages yet: say hello, or pick a starter prompt.")
        for item in items:
            _draw_item(page, workflow_id, item, pending)
        for partial in state.stream.partial.values():
            with st.chat_message("assistant", avatar=_AGENT):
                retried = f" · retried attempt {partial.attempt}" if partial.retried else ""
                st.caption(f"{plain(partial.agent or 'Agent')} is writing…{retried}")
                st.markdown(plain(partial.text) + " ...")
        if state.status.phase == "running" and not state.stream.partial:
            st.caption(f":material/hourglass_top: {state.status.current_agent} is working…")
        for sentence in retry_sentences(state.retrying):
            st.warning(plain(sentence), icon=":material/sync_problem:")
    error = page.console.service.pop_error(workflow_id)
    if error is not None:
        note(f"chat_input:{workflow_id}", "error", f"The last message or decision failed: {error}")
    _message_box(page, workflow_id, state)


def _draw_item(
    page: Page, workflow_id: str, item: ChatItem, pending: dict[str, PendingApproval]
) -> None:
    # Everything a customer, a model or a tool wrote is shown as plain text (`plain`): as
    # Markdown, it could make the operator's browser fetch a URL or pose as a system note.
    if item.kind == "user":
        with st.chat_message("user"):
            st.markdown(plain(item.text))
            if item.sender:
                st.caption(plain(item.sender))
    elif item.kind == "agent":
        with st.chat_message("assistant", avatar=_AGENT):
            st.caption(plain(item.agent or "Agent"))
            st.markdown(plain(item.text))
    elif item.kind == "tool":
        _tool(item)
    elif item.kind == "approval":
        approval = pending.get(item.approval_id or "")
        if approval is not None:
            approval_card(page, workflow_id, approval, where="chat")
        else:
            st.caption(
                f":material/front_hand: {plain(item.agent or 'Agent')} asked to call "
                f"`{item.tool}` ({item.approval_id})"
            )
    elif item.kind == "decision":
        record = item.decision
        approved = record is not None and record.approved
        icon = ":material/check_circle:" if approved else ":material/block:"
        st.caption(f"{icon} {plain(item.text)}")
    elif item.kind == "stopped":
        st.caption(f":material/stop_circle: {plain(item.text)}")
    elif item.kind == "failed":
        with st.chat_message("assistant", avatar=":material/shield:"):
            st.caption(plain(item.agent or "Agent"))
            st.warning(plain(item.text))
    elif item.kind == "guardrail":
        icon = ":material/gpp_bad:" if item.tripped else ":material/verified_user:"
        with st.expander(plain(item.text), icon=icon):
            st.markdown(plain(item.output or "No reasoning given."))
    elif item.kind == "handoff":
        st.caption(f":material/swap_horiz: {plain(item.text)}")
    else:
        st.caption(plain(item.text))


def _tool(item: ChatItem) -> None:
    answered = "" if item.output is not None else " (no output yet)"
    title = f"{plain(item.agent or 'Agent')} called `{item.tool}`{answered}"
    with st.expander(title, icon=":material/build:"):
        if item.arguments:
            st.caption("Arguments")
            st.code(item.arguments, language="json")
        if item.output is not None:
            st.caption("Output")
            st.code(item.output, language="json")


def _message_box(page: Page, workflow_id: str, state: LiveState) -> None:
    status = state.status
    if status.phase == "closed":
        st.info("This conversation is closed: start a new one from the sidebar.")
        return
    placeholder = {
        "idle": f"Message {status.current_agent}…",
        "running": f"{status.current_agent} is answering…",
        "awaiting_approval": "Waiting for an operator to decide the approval above…",
    }.get(status.phase, "")
    key = f"chat_input:{workflow_id}"
    refused: str | None = session_dict("refused_messages").pop(workflow_id, None)
    if refused is not None:
        # A refused message comes back into the box, so the operator can shorten or fix it.
        st.session_state[key] = refused
    show_note(key)
    text = st.chat_input(placeholder, key=key, disabled=status.phase != "idle")
    if text:
        send(page, workflow_id, text, status.next_turn)
    if status.phase in ("running", "awaiting_approval"):
        refusal = page.operator.refusal()
        if st.button(
            "Stop",
            key=f"stop:{workflow_id}",
            icon=":material/stop_circle:",
            help=refusal or f"Stop turn {status.turn}: the agent's work on it is cancelled",
            disabled=refusal is not None,
        ):
            stop(page, workflow_id, status.turn)


def stop(page: Page, workflow_id: str, turn: int) -> None:
    """Stop the turn in progress as the operator, and rerun the page to show how it ended."""
    operator = page.operator.name
    try:
        if operator is None or page.operator.refusal() is not None:
            raise PermissionError(page.operator.refusal() or "Sign in to stop a turn.")
        page.console.run(page.console.service.stop(workflow_id, operator=operator, turn=turn))
    except ConversationRefused as refused:
        note(
            f"chat_input:{workflow_id}",
            "error",
            f"The conversation refused to stop: {refused.message}",
        )
    except Exception as error:
        note(
            f"chat_input:{workflow_id}",
            "error",
            f"Could not stop the turn: {type(error).__name__}: {error}",
        )
    st.rerun()


def send(page: Page, workflow_id: str, text: str, turn: int) -> None:
    """Send a message as the operator, and rerun the page so the pane follows the turn.

    A refusal is shown by the message box, which gets the refused text back.
    """
    control = f"chat_input:{workflow_id}"
    clear_note(control)
    try:
        page.console.run(
            page.console.service.send(workflow_id, text, turn=turn, sender=page.operator.name)
        )
    except ConversationRefused as refused:
        note(control, "error", f"The conversation refused the message: {refused.message}")
        session_dict("refused_messages")[workflow_id] = text
    except Exception as error:
        note(control, "error", f"Could not send the message: {type(error).__name__}: {error}")
        session_dict("refused_messages")[workflow_id] = text
    st.rerun(scope="app")
