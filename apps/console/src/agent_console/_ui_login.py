"""The login gate: OIDC through ``st.login``, a token form, or no login at all."""

from __future__ import annotations

from typing import Any

import streamlit as st

from agent_console._identity import (
    LOGIN_THROTTLE,
    Operator,
    check_name,
    oidc_operator,
    operator_for_token,
    settings_operator,
    token_matches,
    token_operator,
)
from agent_stack.settings import Settings

_TOKEN_SESSION_KEY = "token_operator"
_OPERATOR_SESSION_KEY = "named_operator"


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
    operators = settings.operator_tokens()
    if operators:
        return _operators_or_stop(operators)
    token = settings.console_access_token
    if token is not None:
        return _token_or_stop(token.get_secret_value(), settings)
    return settings_operator(settings.console_operator)


def _client() -> str:
    # The address the browser connects from (a proxy's, behind one): what the throttle counts.
    try:
        address = st.context.ip_address
    except Exception:
        address = None
    return address or "unknown"


def _signed_in(key: str, source: str) -> Operator | None:
    operator: Operator | None = st.session_state.get(key)
    if operator is None:
        return None
    with st.sidebar:
        if st.button("Sign out", key=f"{source}_logout"):
            del st.session_state[key]
            st.rerun()
    return operator


def _throttled(client: str) -> bool:
    wait = LOGIN_THROTTLE.wait_seconds(client)
    if wait:
        st.error(f"Too many failed sign-ins: try again in {wait} s.")
    return wait > 0


def _operators_or_stop(operators: dict[str, str]) -> Operator:
    signed_in = _signed_in(_OPERATOR_SESSION_KEY, "operators")
    if signed_in is not None:
        return signed_in
    st.title("Agent console")
    st.write("Sign in with your own operator token (CONSOLE_OPERATORS).")
    with st.form("login"):
        typed_token = st.text_input("Your token", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    client = _client()
    if submitted and not _throttled(client):
        operator = operator_for_token(typed_token, operators)
        if operator is None:
            LOGIN_THROTTLE.failed(client)
            st.error("That token is not right.")
        else:
            LOGIN_THROTTLE.succeeded(client)
            st.session_state[_OPERATOR_SESSION_KEY] = operator
            st.rerun()
    st.stop()


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
    signed_in = _signed_in(_TOKEN_SESSION_KEY, "token")
    if signed_in is not None:
        return signed_in
    st.title("Agent console")
    st.write("This console is protected by an access token (CONSOLE_ACCESS_TOKEN).")
    with st.form("login"):
        typed_name = st.text_input("Your name", placeholder=settings.console_operator)
        typed_token = st.text_input("Access token", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    client = _client()
    if submitted and not _throttled(client):
        problem = check_name(typed_name)
        if not token_matches(typed_token, expected):
            LOGIN_THROTTLE.failed(client)
            st.error("That access token is not right.")
        elif not typed_name.strip():
            st.error("Enter your name: approvals are recorded under it.")
        elif problem is not None:
            st.error(f"Choose another name: {problem}.")
        else:
            LOGIN_THROTTLE.succeeded(client)
            st.session_state[_TOKEN_SESSION_KEY] = token_operator(typed_name)
            st.rerun()
    st.stop()
