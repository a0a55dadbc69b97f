"""The console page: banners, the sidebar, and the conversation or inbox view.

Everything here is drawing; what it draws comes from `agent_console._service` through the
process's `Console` backend.
"""

from __future__ import annotations

import streamlit as st

from agent_console._backend import Console
from agent_console._identity import Operator
from agent_console._service import Overview, TemporalUnavailableError
from agent_console._text import age, status_icon
from agent_console._ui_chat import chat_pane, read_state, send
from agent_console._ui_common import (
    Page,
    agent_apps,
    console_for,
    current_conversation,
    current_view,
    flash,
    open_conversation,
    show_flashes,
    show_view,
)
from agent_console._ui_details import details, roster
from agent_console._ui_inbox import inbox
from agent_console._ui_login import operator_or_stop
from agent_stack.apps import NoAgentAppError
from agent_stack.health import HealthReport
from agent_stack.settings import Settings, SettingsError, load_settings
from agents_temporal.apps import AgentApp, AgentAppError

NEEDED_BY = "the console has no conversations to show"
"""What the console's page says cannot happen without an agent app."""


def main() -> None:
    """Draw the console (the Streamlit script's body)."""
    st.set_page_config(
        page_title="Agent console", page_icon=":material/support_agent:", layout="wide"
    )
    st.session_state["page_run"] = st.session_state.get("page_run", 0) + 1
    try:
        settings = load_settings()
    except SettingsError as error:
        st.error(str(error))
        st.stop()
    operator = operator_or_stop(settings)
    try:
        if not agent_apps(settings.app_objects):
            raise NoAgentAppError(NEEDED_BY)
    except NoAgentAppError as error:
        st.error(f"{error}.", icon=":material/extension_off:")
        st.stop()
    except AgentAppError as error:
        # An app that does not load: say which and how to fix it, instead of a traceback.
        st.error(f"{error}; then restart the console.", icon=":material/extension_off:")
        st.stop()
    console = console_for(settings)
    app = console.app(st.session_state.get("app_choice"))
    health = console.run(console.service.health())
    _banners(settings, health)
    overview = _overview(console, app, health)
    page = Page(console, operator, app, health, overview)
    _sidebar(page)
    show_flashes()
    if current_view() == "inbox":
        inbox(page)
    else:
        _conversation_view(page)


def _banners(settings: Settings, health: HealthReport) -> None:
    if not health.temporal_reachable:
        st.error(health.message, icon=":material/cloud_off:")
        st.caption(f"Details: {health.error}" if health.error else "")
        st.stop()
    if not health.ok:
        st.warning(health.message, icon=":material/warning:")
    if settings.model_mode == "offline":
        st.info(
            "Offline demo model in use: the agents' answers are scripted from keywords, not "
            "written by a language model. Set OPENAI_API_KEY, or MODEL=litellm/<provider>/<model>, "
            "for a real model.",
            icon=":material/science:",
        )


def _overview(console: Console, app: AgentApp, health: HealthReport) -> Overview:
    try:
        return console.run(console.service.overview(app, with_status=health.workflow_pollers > 0))
    except TemporalUnavailableError as error:
        st.error(str(error), icon=":material/cloud_off:")
        st.stop()


def _sidebar(page: Page) -> None:
    with st.sidebar:
        st.title(":material/support_agent: Agent console")
        _operator_line(page.operator)
        apps = page.console.apps
        if len(apps) > 1:
            st.selectbox(
                "Agent app",
                [a.name for a in apps],
                format_func=lambda name: page.console.app(name).title,
                key="app_choice",
            )
        else:
            st.caption(f"App: **{page.app.title}**")
        view = current_view()
        chats, approvals = st.columns(2)
        chats.button(
            "Conversations",
            key="view_conversation",
            type="primary" if view == "conversation" else "secondary",
            width="stretch",
            on_click=show_view,
            args=("conversation",),
        )
        approvals.button(
            f"Approvals ({len(page.overview.inbox)})",
            key="view_inbox",
            type="primary" if view == "inbox" else "secondary",
            width="stretch",
            on_click=show_view,
            args=("inbox",),
        )
        if st.button("New conversation", key="new_conversation", width="stretch"):
            _start(page)
        _conversation_list(page)
        st.divider()
        st.link_button("Temporal Web UI", page.settings.temporal_ui_url, width="stretch")
        st.caption(
            f"Temporal `{page.settings.temporal_address}` · namespace "
            f"`{page.settings.temporal_namespace}` · task queue "
            f"`{page.settings.temporal_task_queue}`"
        )


def _operator_line(operator: Operator) -> None:
    how = {
        "oidc": "signed in",
        "operators": "signed in with your token",
        "token": "signed in with the access token",
        "settings": "",
    }
    suffix = f" ({how[operator.source]})" if how[operator.source] else ""
    st.caption(f"Operator: **{operator.name or 'unknown'}**{suffix}")


def _open_typed_id() -> None:
    typed = str(st.session_state.get("open_by_id") or "").strip()
    if typed:
        open_conversation(typed)


def _conversation_list(page: Page) -> None:
    st.subheader("Conversations")
    st.text_input(
        "Open by id",
        key="open_by_id",
        placeholder=f"{page.app.name}-…",
        on_change=_open_typed_id,
        label_visibility="collapsed",
    )
    rows = page.overview.rows
    if not rows:
        st.caption("None yet.")
        return
    current = current_conversation()
    for row in rows[:50]:
        st.button(
            row.workflow_id.removeprefix(page.app.name + "-"),
            icon=status_icon(row.label),
            key=f"conversation:{row.workflow_id}",
            help=f"{row.label} · started {age(row.started_at)}",
            type="secondary" if row.workflow_id != current else "tertiary",
            width="stretch",
            on_click=open_conversation,
            args=(row.workflow_id,),
        )
        st.caption(f"{row.label} · {age(row.started_at)}")


def _start(page: Page, prompt: str | None = None) -> None:
    try:
        workflow_id = page.console.run(page.console.service.start(page.app))
    except Exception as error:
        flash("error", f"Could not start a conversation: {type(error).__name__}: {error}")
        st.rerun()
    open_conversation(workflow_id)
    if prompt is not None:
        send(page, workflow_id, prompt, 1)
    st.rerun()


def _welcome(page: Page) -> None:
    st.header(page.app.title)
    st.write(page.app.description)
    st.caption("Start a conversation from the sidebar, or with one of these:")
    for index, prompt in enumerate(page.app.starter_prompts):
        if st.button(prompt, key=f"starter:{index}", icon=":material/chat:"):
            _start(page, prompt)


def _conversation_view(page: Page) -> None:
    workflow_id = current_conversation()
    if workflow_id is None:
        _welcome(page)
        return
    if not page.workers_polling:
        st.header(workflow_id)
        st.link_button("Open in Temporal Web UI", page.web_ui_url(workflow_id))
        st.caption("No worker answers queries now, so this conversation cannot be shown.")
        return
    try:
        state = read_state(page, workflow_id)
    except Exception as error:
        st.error(
            f"Cannot read conversation {workflow_id!r}: {type(error).__name__}: {error}. It may "
            "not exist on this Temporal namespace and task queue."
        )
        return
    status = state.status
    title, link = st.columns([3, 1], vertical_alignment="bottom")
    title.header(f"{status_icon(status.phase.replace('_', ' '))} {workflow_id}")
    link.link_button(
        "Open in Temporal Web UI", page.web_ui_url(workflow_id), icon=":material/open_in_new:"
    )
    st.caption(
        f"{status.phase.replace('_', ' ')} · turn {status.turn} · agent "
        f"**{status.current_agent}** · {status.usage.total_tokens:,} tokens"
    )
    chat, side = st.columns([3, 2], gap="large")
    with chat:
        chat_pane(page, workflow_id, state)
    with side:
        roster(page, status.current_agent)
    details(page, workflow_id, state)
