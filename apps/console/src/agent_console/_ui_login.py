"""The login gate: OIDC through ``st.login``, the access-token form, or no login at all."""

from __future__ import annotations

from typing import Any

import streamlit as st

from agent_console._identity import (
    Operator,
    oidc_operator,
    settings_operator,
    token_matches,
    token_operator,
)
from agent_stack.settings import Settings

_TOKEN_SESSION_KEY = "token_operator"


def oidc_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` configures an OIDC login (an ``[auth]`` section)."""
    try:
        return "auth" in st.secrets
    except Exception:
        # No secrets file at all: no login configured.
        return False


def operator_or_stop(settings: Settings) -> Operator:
    """The session's operator; shows a login and stops the run when one is needed first."""
    if oidc_configured():
        return _oidc_or_stop()
    token = settings.console_access_token
    if token is not None:
        return _token_or_stop(token.get_secret_value(), settings)
    return settings_operator(settings.console_operator)


def _oidc_or_stop() -> Operator:
    if not st.user.is_logged_in:
        st.title("Agent console")
        st.write("Sign in to see conversations and decide approvals.")
        st.button("Sign in", type="primary", on_click=st.login, key="oidc_login")
        st.stop()
    user: dict[str, Any] = st.user.to_dict()
    operator = oidc_operator(user)
    with st.sidebar:
        st.button("Sign out", on_click=st.logout, key="oidc_logout")
    return operator


def _token_or_stop(expected: str, settings: Settings) -> Operator:
    name: str | None = st.session_state.get(_TOKEN_SESSION_KEY)
    if name is not None:
        with st.sidebar:
            if st.button("Sign out", key="token_logout"):
                del st.session_state[_TOKEN_SESSION_KEY]
                st.rerun()
        return token_operator(name)
    st.title("Agent console")
    st.write("This console is protected by an access token (CONSOLE_ACCESS_TOKEN).")
    with st.form("login"):
        typed_name = st.text_input("Your name", placeholder=settings.console_operator)
        typed_token = st.text_input("Access token", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        if not token_matches(typed_token, expected):
            st.error("That access token is not right.")
        elif not typed_name.strip():
            st.error("Enter your name: approvals are recorded under it.")
        else:
            st.session_state[_TOKEN_SESSION_KEY] = typed_name.strip()
            st.rerun()
    st.stop()
