"""The console decides approvals only under a real operator identity when a login is set up.

Two layers are checked. The page gate: with an access token or OIDC configured, nothing (and
certainly no approval) is shown before the operator signs in, and Temporal is not even asked.
The approval card: a signed-in session without a usable identity sees why it cannot decide and
its buttons are disabled; the actions behind the buttons refuse with that same message, so a
request forged past the browser sends no decision either.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import agent_console
from agent_console import _ui_approvals
from agent_console.service import Operator, oidc_operator, settings_operator, token_operator
from tests.security import console_card
from tests.security.console_card import APPROVAL, OPERATOR_KEY, SENT, WORKFLOW_ID, page_for

APP_SCRIPT = str(Path(agent_console.__file__).parent / "app.py")
KEY = f"inbox:{WORKFLOW_ID}:{APPROVAL.id}"
BUTTONS = (f"approve:{KEY}", f"reject:{KEY}", f"approve_edited:{KEY}")


def _card_page() -> None:
    from tests.security.console_card import show_card

    show_card()


def card(operator: Operator) -> AppTest:
    at = AppTest.from_function(_card_page, default_timeout=30)
    at.session_state[OPERATOR_KEY] = operator
    return at.run()


def messages(at: AppTest) -> list[str]:
    return [str(m.value) for m in [*at.error, *at.warning, *at.success]]


@pytest.fixture(autouse=True)
def no_decisions_sent() -> Iterator[None]:
    SENT.clear()
    yield
    SENT.clear()


@pytest.fixture
def unreachable_temporal(monkeypatch: pytest.MonkeyPatch) -> str:
    """Settings for a console whose Temporal does not exist: asking it would show an error."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"
    for name in ("OPENAI_API_KEY", "MODEL", "CONSOLE_ACCESS_TOKEN", "TEMPORAL_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TEMPORAL_ADDRESS", address)
    monkeypatch.setenv("CONSOLE_OPERATOR", "local-operator")
    return address


def assert_nothing_but_a_login(at: AppTest) -> None:
    assert not at.exception
    keys = {b.key or "" for b in at.button}
    assert not any(k.startswith(("approve", "reject")) for k in keys), keys
    assert not at.chat_input and not at.sidebar.button
    assert not any("Temporal is not reachable" in m for m in messages(at)), "it asked Temporal"


def test_access_token_console_shows_only_its_login_until_the_operator_is_named(
    unreachable_temporal: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", "tok-SECRET-4f1c-0123")
    at = AppTest.from_file(APP_SCRIPT, default_timeout=30).run()
    assert_nothing_but_a_login(at)
    name, token = at.text_input
    token.input("tok-SECRET-4f1c-0123")
    at.button[0].click().run()
    # The right token without a name still decides nothing: decisions are recorded by name.
    assert "Enter your name: approvals are recorded under it." in messages(at)
    assert_nothing_but_a_login(at)
    name.input("   ")
    at.button[0].click().run()
    assert "Enter your name: approvals are recorded under it." in messages(at)
    assert_nothing_but_a_login(at)


def test_oidc_console_shows_only_its_sign_in_until_the_operator_signs_in(
    unreachable_temporal: str,
) -> None:
    at = AppTest.from_file(APP_SCRIPT, default_timeout=30)
    at.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback"}
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Sign in"]
    assert_nothing_but_a_login(at)


@pytest.mark.parametrize(
    "operator",
    [
        oidc_operator({"is_logged_in": True}),
        oidc_operator({"is_logged_in": True, "email": "  ", "name": ""}),
        token_operator("   "),
        token_operator(None),
    ],
    ids=["oidc-no-claims", "oidc-blank-claims", "token-blank-name", "token-no-name"],
)
def test_an_operator_without_identity_cannot_decide(operator: Operator) -> None:
    refusal = operator.refusal()
    assert operator.login_required and operator.name is None and refusal is not None
    at = card(operator)
    assert [w.value for w in at.warning] == [refusal]
    assert all(at.button(key=key).disabled for key in BUTTONS)

    # What the buttons would do, forced past the browser, refuses with the card's message (the
    # card flashes it as the error); nothing reaches the conversation.
    page = page_for(operator)
    for action in (
        lambda: _ui_approvals._approve(page, WORKFLOW_ID, APPROVAL),  # pyright: ignore[reportPrivateUsage]
        lambda: _ui_approvals._approve(page, WORKFLOW_ID, APPROVAL, {"request": {}}),  # pyright: ignore[reportPrivateUsage]
        lambda: _ui_approvals._reject(page, WORKFLOW_ID, APPROVAL, "over the limit"),  # pyright: ignore[reportPrivateUsage]
    ):
        with pytest.raises(PermissionError) as refused:
            action()
        assert str(refused.value) == refusal
    assert SENT == [], "a decision left the console without an operator"


@pytest.mark.parametrize(
    ("operator", "name"),
    [
        (oidc_operator({"email": "oidc@example.com", "name": "O. Idc"}), "oidc@example.com"),
        (token_operator("  Ada "), "Ada"),
        (settings_operator("local-operator"), "local-operator"),
    ],
    ids=["oidc", "token", "no-login"],
)
def test_an_identified_operator_decides_under_their_name(operator: Operator, name: str) -> None:
    at = card(operator)
    assert not at.warning and not any(at.button(key=key).disabled for key in BUTTONS)
    at.button(key=f"approve:{KEY}").click().run()
    assert f"Approved issue_refund ({APPROVAL.id}) as {name}." in messages(at)
    at.text_input(key=f"reason:{KEY}").input("over the limit")
    at.button(key=f"reject:{KEY}").click().run()
    assert SENT == [
        {"approve": True, "operator": name, "arguments": None},
        {"approve": False, "operator": name, "reason": "over the limit"},
    ]


def test_the_card_is_the_consoles_own() -> None:
    # The stand-in replaces only the backend: the card, its refusal and its guard are real.
    assert console_card.approval_card is _ui_approvals.approval_card
