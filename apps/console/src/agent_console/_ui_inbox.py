"""The approvals inbox: every approval waiting in any conversation of any app, live and paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from agent_console._service import InboxItem, Overview
from agent_console._text import plain
from agent_console._ui_approvals import approval_card
from agent_console._ui_common import Page, follow_callbacks, open_conversation

LIVE_REFRESH = timedelta(seconds=1.5)
"""How often the inbox and the sidebar read the conversations again: approvals that arrive,
are decided elsewhere or expire show within two seconds in every open console."""

PAGE_SIZE = 20
"""Approvals per inbox page."""

EXPIRED_KEPT = 20
"""Expired approvals an operator's inbox keeps showing (the newest), until dismissed."""


def overview_now(page: Page) -> Overview:
    """The shown app's overview as it is now (shared by the process's pages for a second)."""
    page.overview = page.console.run(
        page.console.service.overview(page.app, with_status=page.workers_polling)
    )
    return page.overview


def inbox_items(page: Page, overview: Overview) -> list[tuple[str, InboxItem]]:
    """Pending approvals of every app (``(app title, item)``), oldest request first."""
    items: list[tuple[str, InboxItem]] = [(page.app.title, i) for i in overview.inbox]
    if not page.workers_polling:
        return items
    for app in page.console.apps:
        if app.name == page.app.name:
            continue
        try:
            other = page.console.run(page.console.service.overview(app))
        except Exception:
            continue
        items += [(app.title, item) for item in other.inbox]
    items.sort(key=lambda pair: (pair[1].approval.requested_at, pair[1].workflow_id))
    return items


def inbox(page: Page) -> None:
    """The inbox view, refreshing itself."""
    st.fragment(_live_inbox, run_every=LIVE_REFRESH)(page)


def _live_inbox(page: Page) -> None:
    follow_callbacks()
    items = inbox_items(page, overview_now(page))
    st.subheader(f"Approvals inbox ({len(items)})", anchor=False)
    if not page.workers_polling:
        st.caption("No worker answers queries now, so pending approvals cannot be listed.")
        return
    expired = _expired_since_shown(items)
    for title, item in expired:
        _expired_card(title, item)
    if not items:
        st.success("Nothing waits for a decision.")
        return
    st.caption(
        f"Deciding as **{plain(page.operator.name or 'nobody')}**. Approve, reject with a "
        "reason, or approve with edited arguments; each decision is recorded with your name."
    )
    shown = _paged(items)
    st.session_state["inbox_shown"] = {_item_key(item): (title, item) for title, item in shown}
    for title, item in shown:
        approval = item.approval
        with st.container():
            left, right = st.columns([4, 1])
            left.markdown(f"**{plain(title)}** · conversation `{item.workflow_id}`")
            if right.button("Open conversation", key=f"open:{item.workflow_id}:{approval.id}"):
                open_conversation(item.workflow_id)
                st.rerun(scope="app")
            approval_card(page, item.workflow_id, approval, where="inbox")


def _item_key(item: InboxItem) -> str:
    return f"{item.workflow_id}:{item.approval.id}"


def _expired_since_shown(items: list[tuple[str, InboxItem]]) -> list[tuple[str, InboxItem]]:
    """The approvals this operator was shown that have since expired, newest deadline first.

    A card that leaves the inbox because its deadline passed stays in this session as an
    expired note: the operator looking at it learns what happened instead of seeing it vanish.
    One decided by someone before its deadline just leaves (that console says who decided).
    """
    now = datetime.now(UTC)
    waiting = {_item_key(item) for _, item in items}
    shown: dict[str, tuple[str, InboxItem]] = st.session_state.get("inbox_shown", {})
    expired: dict[str, tuple[str, InboxItem]] = st.session_state.setdefault("inbox_expired", {})
    for key, (title, item) in shown.items():
        deadline = item.approval.expires_at
        if key not in waiting and deadline is not None and deadline <= now:
            expired[key] = (title, item)
    newest = sorted(
        expired.items(), key=lambda pair: pair[1][1].approval.expires_at or now, reverse=True
    )[:EXPIRED_KEPT]
    st.session_state["inbox_expired"] = dict(newest)
    st.session_state["inbox_shown"] = {k: v for k, v in shown.items() if k in waiting}
    return [pair for _, pair in newest]


def _dismiss_expired(key: str) -> None:
    expired: dict[str, tuple[str, InboxItem]] = st.session_state.get("inbox_expired", {})
    expired.pop(key, None)


def _expired_card(title: str, item: InboxItem) -> None:
    """What became of an approval the operator was shown: expired, with no buttons to decide."""
    approval = item.approval
    assert approval.expires_at is not None
    at = approval.expires_at.astimezone().strftime("%H:%M")
    key = _item_key(item)
    with st.container(border=True, key=f"expired:inbox:{key}"):
        left, right = st.columns([4, 1])
        left.markdown(
            f":material/timer_off: **{plain(title)}** · conversation `{item.workflow_id}` · "
            f"`{approval.tool}` · approval `{approval.id}`"
        )
        right.button("Dismiss", key=f"dismiss:{key}", on_click=_dismiss_expired, args=(key,))
        st.caption(
            f"Expired at {at}, rejected automatically: nobody decided it in time. "
            f"{plain(approval.agent)} was told the call was not run."
        )


def _turn_page(step: int) -> None:
    st.session_state["inbox_page"] = int(st.session_state.get("inbox_page", 0)) + step


def _paged(items: list[tuple[str, InboxItem]]) -> list[tuple[str, InboxItem]]:
    """The current page of ``items``, with the controls to move between pages."""
    pages = (len(items) + PAGE_SIZE - 1) // PAGE_SIZE
    number = max(0, min(int(st.session_state.get("inbox_page", 0)), pages - 1))
    st.session_state["inbox_page"] = number
    if pages > 1:
        back, where, forward = st.columns([1, 3, 1], vertical_alignment="center")
        back.button(
            "Previous",
            key="inbox_back",
            disabled=number == 0,
            icon=":material/arrow_back:",
            on_click=_turn_page,
            args=(-1,),
        )
        forward.button(
            "Next",
            key="inbox_forward",
            disabled=number >= pages - 1,
            icon=":material/arrow_forward:",
            on_click=_turn_page,
            args=(1,),
        )
        first = number * PAGE_SIZE
        where.caption(
            f"Page {number + 1} of {pages}: approvals {first + 1}-"
            f"{min(first + PAGE_SIZE, len(items))} of {len(items)}, oldest first"
        )
    return items[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]
