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
    wait_text,
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
    """The address the browser connects from, the key the throttle counts it under.

    Behind a reverse proxy this is what the server trusts the proxy to say (uvicorn reads
    ``X-Forwarded-For`` from the addresses in FORWARDED_ALLOW_IPS, loopback by default);
    otherwise the proxy's own address, shared by everyone behind it. Streamlit reports a
    loopback connection as no address at all, and anything that is not an address (a test
    harness's stand-in) is counted as that same unknown client, never as a fresh one.
    """
    try:
        address = st.context.ip_address
    except Exception:
        address = None
    return address if isinstance(address, str) and address else "unknown"


def _signed_in(key: str, source: str) -> Operator | None:
    operator: Operator | None = st.session_state.get(key)
    if operator is None:
        return None
    with st.sidebar:
        if st.button("Sign out", key=f"{source}_logout"):
            del st.session_state[key]
            st.rerun()
    return operator


def _wait_message(wait: int) -> str:
    return f"Too many failed sign-ins: try again in {wait_text(wait)}."


def _refused(client: str, name: str | None, problem: str) -> None:
    """Count a failed sign-in and say, in one message, what was wrong and how long to wait."""
    LOGIN_THROTTLE.failed(client, name)
    wait = LOGIN_THROTTLE.wait_seconds(client, name)
    st.error(f"{problem} {_wait_message(wait)}" if wait else problem)


def _attempt_allowed(submitted: bool, client: str, name: str | None = None) -> bool:
    """Whether a submitted sign-in may be tried now; shows the wait when it may not.

    A page that has to wait says so as soon as it is drawn (after a reload, in a new session)
    rather than only once a token is typed; a wait for a typed name shows when it is submitted.
    """
    wait = LOGIN_THROTTLE.wait_seconds(client, name if submitted else None)
    if wait:
        st.error(_wait_message(wait))
    return submitted and not wait


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
    if _attempt_allowed(submitted, client):
        operator = operator_for_token(typed_token, operators)
        if operator is None:
            _refused(client, None, "That token is not right.")
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
    if _attempt_allowed(submitted, client, typed_name):
        problem = check_name(typed_name)
        if not token_matches(typed_token, expected):
            _refused(client, typed_name, "That access token is not right.")
        elif not typed_name.strip():
            st.error("Enter your name: approvals are recorded under it.")
        elif problem is not None:
            st.error(f"Choose another name: {problem}.")
        else:
            LOGIN_THROTTLE.succeeded(client, typed_name)
            st.session_state[_TOKEN_SESSION_KEY] = token_operator(typed_name)
            st.rerun()
    st.stop()
