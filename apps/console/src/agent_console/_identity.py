"""Who the operator is, and whether the console must ask before showing anything.

Three ways, strongest first:

- **OIDC login** (Streamlit's ``st.login``, configured with an ``[auth]`` section in
  ``.streamlit/secrets.toml``): the operator is the signed-in user's email (or name).
- **Access token** (CONSOLE_ACCESS_TOKEN): a login form asks for the token and the operator's
  name; meant for a console reachable from other machines without an identity provider.
- **Neither**: a console on localhost; the operator is CONSOLE_OPERATOR (the OS user name by
  default).

When a login is configured, decisions need the identity it gave: an approval is never recorded
under a made-up or default name.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

IdentitySource = Literal["oidc", "token", "settings"]
"""Where the operator's identity came from."""


@dataclass(frozen=True)
class Operator:
    """The person deciding approvals in this session."""

    name: str | None
    """Recorded on every decision; None when a login gave no usable identity."""

    source: IdentitySource
    """OIDC login, access-token login, or the configured CONSOLE_OPERATOR."""

    @property
    def login_required(self) -> bool:
        """Whether a login is configured (so decisions need the identity it gave)."""
        return self.source != "settings"

    def refusal(self) -> str | None:
        """Why this operator may not decide approvals, or None when they may."""
        if self.name:
            return None
        if self.source == "oidc":
            return (
                "Your login carries no email or name, so a decision could not be attributed to "
                "you: ask your identity provider to include the email claim."
            )
        return "Sign in with your name to decide approvals: decisions are recorded by name."


def oidc_operator(user: Mapping[str, Any]) -> Operator:
    """The operator from a signed-in OIDC user's claims (``st.user``)."""
    for claim in ("email", "preferred_username", "name", "sub"):
        value = user.get(claim)
        if isinstance(value, str) and value.strip():
            return Operator(value.strip(), "oidc")
    return Operator(None, "oidc")


def token_operator(name: str | None) -> Operator:
    """The operator who signed in with the access token under ``name``."""
    cleaned = (name or "").strip()
    return Operator(cleaned or None, "token")


def settings_operator(configured: str) -> Operator:
    """The operator of a console without login: CONSOLE_OPERATOR."""
    return Operator(configured.strip() or None, "settings")


def token_matches(given: str, expected: str) -> bool:
    """Compare a typed token with CONSOLE_ACCESS_TOKEN in constant time."""
    return hmac.compare_digest(given.strip().encode(), expected.encode())
