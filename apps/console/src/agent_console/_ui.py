"""The console page: banners, the sidebar, and the conversation or inbox view.

Everything here is drawing; what it draws comes from `agent_console._service` through the
process's `Console` backend.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from agent_console._backend import Console
from agent_console._identity import Operator
from agent_console._service import ConversationRow, Overview, TemporalUnavailableError
from agent_console._text import age, plain, status_icon
from agent_console._timeline import guardrail_usage, token_summary
from agent_console._ui_chat import chat_pane, read_state, send
from agent_console._ui_common import (
    RERUN_PAGE,
    Page,
    agent_apps,
    clear_note,
    close_conversation,
    console_for,
    current_conversation,
    current_view,
    follow_callbacks,
    note,
    open_conversation,
    session_dict,
    show_flashes,
    show_note,
    show_view,
)
from agent_console._ui_details import details, model_calls_or_none, model_note, roster
from agent_console._ui_inbox import LIVE_REFRESH, inbox, inbox_items, overview_now
from agent_console._ui_login import operator_or_stop
from agent_stack.apps import NoAgentAppError
from agent_stack.health import HealthReport
from agent_stack.settings import Settings, SettingsError, load_settings
from agents_temporal.apps import AgentApp, AgentAppError

PAGE_ICON = Path(__file__).with_name("icon.svg")
"""The browser tab's icon, shipped with the console."""

_COMPACT = """<style>
  [data-testid="stMainBlockContainer"] { padding-top: 3rem; padding-bottom: 2rem; }
</style>"""
# Streamlit leaves 6rem above a wide page, room for a header this page does not have: at
# 1280x720 that and a tall title took 40% of the window before the chat began.

LIST_SHOWN = 50
"""Conversations the sidebar lists."""

NEEDED_BY = "the console has no conversations to show"
"""What the console's page says cannot happen without an agent app."""


def main() -> None:
    """Draw the console (the Streamlit script's body)."""
    # A file of our own, not a Material shortcode: Streamlit fetches those favicons from
    # fonts.gstatic.com, which an offline or locked-down operator's browser cannot reach.
    st.set_page_config(page_title="Agent console", page_icon=str(PAGE_ICON), layout="wide")
    st.html(_COMPACT)
    st.session_state["page_run"] = st.session_state.get("page_run", 0) + 1
    # A whole page run is what a callback inside a fragment asks for: this is it.
    st.session_state.pop(RERUN_PAGE, None)
    try:
        settings = load_settings()
    except SettingsError as error:
        st.error(str(error))
        st.stop()
    operator = operator_or_stop(settings)
    # The page's frame first: on a fresh console, loading the apps imports the Agents SDK and
    # the first overview connects to Temporal, seconds in all, and the operator should see the
    # console (not a blank tab) meanwhile. Streamlit sends each element as it is drawn.
    with st.sidebar:
        st.title(":material/support_agent: Agent console")
        _operator_line(operator)
    with st.spinner("Loading the agent apps and reading Temporal…"):
        console, app, health, overview = _load(settings)
    page = Page(console, operator, app, health, overview)
    _sidebar(page)
    show_flashes()
    if current_view() == "inbox":
        inbox(page)
    else:
        _conversation_view(page)


def _load(settings: Settings) -> tuple[Console, AgentApp, HealthReport, Overview]:
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
    return console, app, health, _overview(console, app, health)


def _banners(settings: Settings, health: HealthReport) -> None:
    if not health.temporal_reachable:
        st.error(health.message, icon=":material/cloud_off:")
        st.caption(f"Details: {health.error}" if health.error else "")
        st.stop()
    if not health.ok:
        st.warning(health.message, icon=":material/warning:")
    # Which model answers is the worker's choice, not the console's: each conversation says
    # what its model calls recorded (`_ui_details.model_note`).


def _overview(console: Console, app: AgentApp, health: HealthReport) -> Overview:
    try:
        return console.run(console.service.overview(app, with_status=health.workflow_pollers > 0))
    except TemporalUnavailableError as error:
        st.error(str(error), icon=":material/cloud_off:")
        st.stop()


def _sidebar(page: Page) -> None:
    with st.sidebar:
        apps = page.console.apps
        if len(apps) > 1:
            st.selectbox(
                "Agent app",
                [a.name for a in apps],
                format_func=lambda name: page.console.app(name).title,
                key="app_choice",
                on_change=_switch_app,
                args=(page.app.name,),
            )
        else:
            st.caption(f"App: **{plain(page.app.title)}**")
        # The approvals count and the conversation list refresh themselves, so an approval
        # that arrives, is decided in another console or expires shows without a reload.
        st.fragment(_live_sidebar, run_every=LIVE_REFRESH)(page)
        st.text_input(
            "Open a conversation by its id",
            key="open_by_id",
            placeholder=f"{page.app.name}-20250102-150405-a1b2c3",
            on_change=_open_typed_id,
            help="Paste a conversation's workflow id (from the Temporal Web UI or a log) and "
            "press Enter.",
        )
        st.divider()
        st.link_button("Temporal Web UI", page.settings.temporal_ui_url, width="stretch")
        st.caption(
            f"Temporal `{page.settings.temporal_address}` · namespace "
            f"`{page.settings.temporal_namespace}` · task queue "
            f"`{page.settings.temporal_task_queue}`"
        )


def _switch_app(previous: str) -> None:
    # Another app's conversation must not stay open under this app's name: its agents, starter
    # prompts and approvals would be the wrong app's. Each app gets back the conversation that
    # was open when the operator left it (like a tab), or its welcome page; not simply its most
    # recent one, which may be a conversation another operator is handling.
    left = session_dict("open_by_app")
    if (workflow_id := current_conversation()) is not None:
        left[previous] = workflow_id
    else:
        left.pop(previous, None)
    chosen = str(st.session_state.get("app_choice") or "")
    if chosen in left:
        open_conversation(left[chosen], show=False)
    else:
        close_conversation()


def _live_sidebar(page: Page) -> None:
    follow_callbacks()
    overview = overview_now(page)
    view = current_view()
    chats, approvals = st.columns(2)
    if chats.button(
        "Conversations",
        key="view_conversation",
        type="primary" if view == "conversation" else "secondary",
        width="stretch",
    ):
        show_view("conversation")
        st.rerun(scope="app")
    if approvals.button(
        f"Approvals ({len(inbox_items(page, overview))})",
        key="view_inbox",
        type="primary" if view == "inbox" else "secondary",
        width="stretch",
    ):
        show_view("inbox")
        st.rerun(scope="app")
    if st.button("New conversation", key="new_conversation", width="stretch"):
        _start(page)
    show_note("new_conversation")
    _conversation_list(page, overview)


def _operator_line(operator: Operator) -> None:
    how = {
        "oidc": "signed in",
        "operators": "signed in with your token",
        "token": "signed in with the access token",
        "settings": "",
    }
    suffix = f" ({how[operator.source]})" if how[operator.source] else ""
    st.caption(f"Operator: **{plain(operator.name or 'unknown')}**{suffix}")


def _open_typed_id() -> None:
    typed = str(st.session_state.get("open_by_id") or "").strip()
    if typed:
        open_conversation(typed)


def _conversation_list(page: Page, overview: Overview) -> None:
    st.subheader("Conversations")
    rows = overview.rows
    if not rows:
        st.caption("None yet.")
        return
    current = current_conversation()
    # The most recently active first: a conversation that just asked for an approval is the
    # one an operator looks for.
    for row in sorted(rows, key=lambda r: r.last_activity, reverse=True)[:LIST_SHOWN]:
        with st.container(key=f"row:{row.workflow_id}"):
            _conversation_row(page, row, current)


def _conversation_row(page: Page, row: ConversationRow, current: str | None) -> None:
    if st.button(
        row.workflow_id.removeprefix(page.app.name + "-"),
        icon=status_icon(row.label),
        key=f"conversation:{row.workflow_id}",
        help=f"{row.label} · started {age(row.started_at)}",
        type="secondary" if row.workflow_id != current else "tertiary",
        width="stretch",
    ):
        open_conversation(row.workflow_id)
        st.rerun(scope="app")
    preview = f"{plain(row.preview)}  \n" if row.preview else ""
    st.caption(f"{preview}{row.label} · {age(row.last_activity)}")


def _start(page: Page, prompt: str | None = None) -> None:
    control = "new_conversation" if prompt is None else "starters"
    clear_note(control)
    try:
        workflow_id = page.console.run(page.console.service.start(page.app))
    except Exception as error:
        note(control, "error", f"Could not start a conversation: {type(error).__name__}: {error}")
        st.rerun(scope="app")
    page.console.service.forget_overviews()
    open_conversation(workflow_id)
    if prompt is not None:
        send(page, workflow_id, prompt, 1)
    st.rerun(scope="app")


PLAYING_AS = "playing_as"
"""The `AgentApp.metadata` key that says whom an operator's messages come from (the app's demo
customer, say): shown on the welcome page and above each conversation."""


def _playing_as_note(page: Page) -> str | None:
    who = page.app.metadata.get(PLAYING_AS)
    return f":material/person: Your messages come from {plain(who)}." if who else None


def _playing_as(page: Page) -> None:
    if (note := _playing_as_note(page)) is not None:
        st.caption(note)


def _welcome(page: Page) -> None:
    st.header(page.app.title)
    st.write(page.app.description)
    _playing_as(page)
    st.caption("Start a conversation from the sidebar, or with one of these:")
    for index, prompt in enumerate(page.app.starter_prompts):
        if st.button(prompt, key=f"starter:{index}", icon=":material/chat:"):
            _start(page, prompt)
    show_note("starters")


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
    # One compact block above the chat: at 1280x720 the chat and its approval card must be
    # in the first screen, not below a banner.
    title, link = st.columns([3, 1], vertical_alignment="center")
    title.subheader(f"{status_icon(status.phase.replace('_', ' '))} {workflow_id}", anchor=False)
    link.link_button(
        "Open in Temporal Web UI", page.web_ui_url(workflow_id), icon=":material/open_in_new:"
    )
    calls = model_calls_or_none(page, workflow_id, state)
    guardrails = guardrail_usage(calls or [], [agent.name for agent in page.app.agents])
    lines = [
        f"{status.phase.replace('_', ' ')} · turn {status.turn} · agent "
        f"**{status.current_agent}** · {token_summary(status.usage, guardrails)}",
        _playing_as_note(page),
        model_note(calls or []),
    ]
    # One caption, not three elements: each element costs a gap of its own.
    st.caption("  \n".join(line for line in lines if line))
    chat, side = st.columns([3, 2], gap="large")
    with chat:
        chat_pane(page, workflow_id, state)
    with side:
        roster(page, status.current_agent)
    details(page, workflow_id, state, calls)
