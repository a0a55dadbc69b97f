"""What every part of the page shares: the backend, the page context, flash messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import streamlit as st

from agent_console._backend import Console, settings_fingerprint
from agent_console._identity import Operator
from agent_console._pricing import OFFLINE_MODEL
from agent_console._service import Overview
from agent_stack.apps import select_apps
from agent_stack.health import HealthReport
from agent_stack.settings import Settings, load_settings
from agents_temporal.apps import AgentApp

CONVERSATION_PARAM = "conversation"
"""Query parameter holding the open conversation's workflow id."""

VIEW_PARAM = "view"
"""Query parameter holding the view (``inbox``; absent for the conversation view)."""

View = Literal["conversation", "inbox"]

RERUN_PAGE = "rerun_page"
"""Session key: a widget callback in a fragment wants the whole page to run again."""

FlashLevel = Literal["error", "warning", "success", "info"]


@st.cache_resource(show_spinner=False)
def agent_apps(objects: tuple[str, ...] = ()) -> list[AgentApp]:
    """The agent apps to show, found once per process (a new app needs a restart).

    Args:
        objects: AGENT_APP_OBJECTS (`Settings.app_objects`): these apps instead of the
            installed ones.

    Raises:
        AgentAppError: An app does not load, or one AGENT_APP_NAMES names is not installed.
        SettingsError: The settings are invalid.
    """
    return select_apps(load_settings().app_names(), objects=objects)


@st.cache_resource(show_spinner=False)
def _console(fingerprint: str, _settings: Settings) -> Console:
    # One backend per configuration and process: its loop thread and client are shared by
    # every browser session, which is what keeps a busy console to one connection.
    return Console(_settings, agent_apps(_settings.app_objects))


def console_for(settings: Settings) -> Console:
    """The process's backend for these settings."""
    return _console(settings_fingerprint(settings), settings)


@dataclass
class Page:
    """What one script run knows."""

    console: Console
    """The backend."""

    operator: Operator
    """Who is deciding."""

    app: AgentApp
    """The agent app shown."""

    health: HealthReport
    """Temporal and worker health."""

    overview: Overview
    """The app's conversations and pending approvals."""

    @property
    def settings(self) -> Settings:
        """The console's settings."""
        return self.console.settings

    @property
    def workers_polling(self) -> bool:
        """Whether some worker polls the task queue (so conversations can answer queries)."""
        return self.health.workflow_pollers > 0

    def default_model(self) -> str:
        """The model name costs are computed with when history does not say."""
        settings = self.settings
        return OFFLINE_MODEL if settings.model_mode == "offline" else settings.default_model

    def web_ui_url(self, workflow_id: str) -> str:
        """The conversation's workflow in the Temporal Web UI."""
        base = self.settings.temporal_ui_url.rstrip("/")
        namespace = quote(self.settings.temporal_namespace, safe="")
        return f"{base}/namespaces/{namespace}/workflows/{quote(workflow_id, safe='')}"


def flash(level: FlashLevel, text: str) -> None:
    """Show ``text`` at the top of the next run of the page."""
    messages: list[tuple[FlashLevel, str]] = st.session_state.setdefault("flash", [])
    messages.append((level, text))


def show_flashes() -> None:
    """Show and forget the flashed messages."""
    messages: list[tuple[FlashLevel, str]] = st.session_state.pop("flash", [])
    for level, text in messages:
        {"error": st.error, "warning": st.warning, "success": st.success, "info": st.info}[level](
            text
        )


def note(control: str, level: FlashLevel, text: str) -> None:
    """Show ``text`` next to the control ``control`` (a widget key), until it acts again.

    Errors belong where the operator acted, not at the top of the page. A note outlives the
    page's self-refreshes (a fragment rerun every few seconds), so it stays until the operator
    uses that control again (`clear_note`).
    """
    session_dict("notes")[control] = (level, text)


def clear_note(control: str) -> None:
    """Forget the note of ``control`` (it is acting again)."""
    session_dict("notes").pop(control, None)


def show_note(control: str) -> None:
    """Draw the note of ``control``, if it has one (call right after drawing the control)."""
    found: tuple[FlashLevel, str] | None = session_dict("notes").get(control)
    if found is None:
        return
    level, text = found
    draw = {"error": st.error, "warning": st.warning, "success": st.success, "info": st.info}
    # The widget key gives tests and browsers a handle on the note of one control.
    with st.container(key=f"note:{control}"):
        draw[level](text)


def rerun_page_after_callback() -> None:
    """Have the whole page run again after this widget callback.

    Inside a fragment a click reruns only the fragment, but a decision changes the flash area,
    the approvals count and the conversation list too.
    """
    st.session_state[RERUN_PAGE] = True


def follow_callbacks() -> None:
    """At the start of a fragment: run the whole page if a callback asked for it."""
    if st.session_state.pop(RERUN_PAGE, False):
        st.rerun(scope="app")


def current_conversation() -> str | None:
    """The open conversation's workflow id, from the URL."""
    value = st.query_params.get(CONVERSATION_PARAM)
    return value or None


def close_conversation() -> None:
    """Show no conversation: the app's welcome page (a widget callback, or before a rerun)."""
    if CONVERSATION_PARAM in st.query_params:
        del st.query_params[CONVERSATION_PARAM]


def current_view() -> View:
    """The view the URL asks for."""
    return "inbox" if st.query_params.get(VIEW_PARAM) == "inbox" else "conversation"


def open_conversation(workflow_id: str, *, show: bool = True) -> None:
    """Switch to ``workflow_id``'s conversation view (a widget callback, or before a rerun).

    With ``show=False`` the conversation becomes the open one, but the view (the inbox, say)
    stays.
    """
    st.query_params[CONVERSATION_PARAM] = workflow_id
    if show:
        show_view("conversation")


def show_view(view: View) -> None:
    """Switch views, keeping the choice in the URL."""
    if view == "inbox":
        st.query_params[VIEW_PARAM] = "inbox"
    elif VIEW_PARAM in st.query_params:
        del st.query_params[VIEW_PARAM]


def session_dict(name: str) -> dict[str, Any]:
    """A dict kept in the session under ``name``."""
    value: dict[str, Any] = st.session_state.setdefault(name, {})
    return value
