"""The approvals inbox: every approval waiting in any conversation of any app."""

from __future__ import annotations

import streamlit as st

from agent_console._service import InboxItem
from agent_console._ui_approvals import approval_card
from agent_console._ui_common import Page, open_conversation


def inbox_items(page: Page) -> list[tuple[str, InboxItem]]:
    """Pending approvals of every app (``(app title, item)``), oldest request first."""
    items: list[tuple[str, InboxItem]] = [(page.app.title, i) for i in page.overview.inbox]
    if not page.workers_polling:
        return items
    for app in page.console.apps:
        if app.name == page.app.name:
            continue
        try:
            overview = page.console.run(page.console.service.overview(app))
        except Exception:
            continue
        items += [(app.title, item) for item in overview.inbox]
    items.sort(key=lambda pair: pair[1].approval.requested_at)
    return items


def inbox(page: Page) -> None:
    """The inbox view."""
    items = inbox_items(page)
    st.header(f"Approvals inbox ({len(items)})")
    if not page.workers_polling:
        st.caption("No worker answers queries now, so pending approvals cannot be listed.")
        return
    if not items:
        st.success("Nothing waits for a decision.")
        return
    st.caption(
        f"Deciding as **{page.operator.name or 'nobody'}**. Approve, reject with a reason, or "
        "approve with edited arguments; each decision is recorded with your name."
    )
    for title, item in items:
        approval = item.approval
        with st.container():
            left, right = st.columns([4, 1])
            left.markdown(f"**{title}** · conversation `{item.workflow_id}`")
            right.button(
                "Open conversation",
                key=f"open:{item.workflow_id}:{approval.id}",
                on_click=open_conversation,
                args=(item.workflow_id,),
            )
            approval_card(page, item.workflow_id, approval, where="inbox")
