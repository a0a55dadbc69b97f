"""Who the operator is, and whether the console must ask before showing anything.

Four ways, strongest first:

- **OIDC login** (Streamlit's ``st.login``, configured with an ``[auth]`` section in
  ``.streamlit/secrets.toml``): the operator is the signed-in user's email (or name).
- **Per-operator tokens** (CONSOLE_OPERATORS, ``name:token`` pairs): the login form asks for a
  token only, and the operator is the name that token belongs to. Nobody can sign in as
  someone else without their token.
- **Shared access token** (CONSOLE_ACCESS_TOKEN): a login form asks for the token and the
  operator's name, which whoever holds the token chooses; for a small trusted team.
- **None**: a console on localhost; the operator is CONSOLE_OPERATOR (the OS user name by
  default).

When a login is configured, decisions need the identity it gave: an approval is never recorded
under a made-up or default name, nor under a name reserved for the conversation's own
decisions (``system:...``). Failed token sign-ins are throttled per address, per name and
altogether (`LoginThrottle`).
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from agent_stack.settings import check_operator_name

IdentitySource = Literal["oidc", "operators", "token", "settings"]
"""Where the operator's identity came from."""


@dataclass(frozen=True)
class Operator:
    """The person deciding approvals in this session."""

    name: str | None
    """Recorded on every decision; None when a login gave no usable identity."""

    source: IdentitySource
    """OIDC login, per-operator token, shared access token, or the configured CONSOLE_OPERATOR."""

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


def usable_name(name: str | None) -> str | None:
    """``name`` stripped, or None when it cannot be recorded on a decision (see `check_name`)."""
    try:
        return check_operator_name(name or "")
    except ValueError:
        return None


def check_name(name: str) -> str | None:
    """Why ``name`` cannot be recorded on decisions (empty, odd characters, reserved), or None."""
    try:
        check_operator_name(name)
    except ValueError as error:
        return str(error)
    return None


def oidc_operator(user: Mapping[str, Any]) -> Operator:
    """The operator from a signed-in OIDC user's claims (``st.user``).

    The first claim that makes a usable name wins; a claim naming a reserved name does not.
    """
    for claim in ("email", "preferred_username", "name", "sub"):
        value = user.get(claim)
        if isinstance(value, str) and value.strip():
            return Operator(usable_name(value), "oidc")
    return Operator(None, "oidc")


def token_operator(name: str | None) -> Operator:
    """The operator who signed in with the shared access token under ``name``."""
    return Operator(usable_name(name), "token")


def operator_for_token(given: str, operators: Mapping[str, str]) -> Operator | None:
    """The operator whose CONSOLE_OPERATORS token ``given`` is, or None.

    Every token is compared, in constant time, so the time taken does not tell which name (or
    how much of a token) was close.
    """
    typed = given.strip().encode()
    found: str | None = None
    for name, token in operators.items():
        if hmac.compare_digest(typed, token.encode()):
            found = name
    return None if found is None else Operator(found, "operators")


def settings_operator(configured: str) -> Operator:
    """The operator of a console without login: CONSOLE_OPERATOR."""
    return Operator(configured.strip() or None, "settings")


def token_matches(given: str, expected: str) -> bool:
    """Compare a typed token with CONSOLE_ACCESS_TOKEN in constant time."""
    return hmac.compare_digest(given.strip().encode(), expected.encode())


_FREE_FAILURES = 5
_FIRST_WAIT_SECONDS = 2.0
_MAX_WAIT_SECONDS = 300.0
_GLOBAL_KEY = "*"
_GLOBAL_FREE_FAILURES = 50


@dataclass
class _Failures:
    count: int = 0
    until: float = 0.0


def _keys(client: str, name: str | None) -> list[str]:
    # Prefixed, so that no typed name can collide with an address or with the global count.
    keys = [f"client:{client}"]
    if name is not None and name.strip():
        keys.append(f"name:{name.strip().casefold()}")
    return keys


def wait_text(seconds: int) -> str:
    """A wait for people to read: ``"8 s"``, ``"2 min 8 s"``, ``"5 min"``."""
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


@dataclass
class LoginThrottle:
    """Slows down guessing of console tokens, across every session of the console process.

    Failures are counted per client address, per operator name when the login asks for one
    (a shared-token login), and for all of them together. Each address and each name gets a
    few free failures; after them the next attempt must wait, twice as long after each further
    failure (2 s, 4 s, ... up to 5 minutes). All attempts together get more free failures,
    then the same waits, so that many sessions from many addresses do not multiply the rate.
    The counts live in the process, not in the browser session, so a reload or a new session
    waits just the same. A success clears its address's and its name's counts.
    """

    clock: Callable[[], float] = time.monotonic
    """Seconds, monotonic; tests give a fake clock."""

    _failures: dict[str, _Failures] = field(default_factory=lambda: dict[str, _Failures]())
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_seconds(self, client: str, name: str | None = None) -> int:
        """Whole seconds to wait before the next attempt from ``client`` (as ``name``); 0: now."""
        now = self.clock()
        keys = [*_keys(client, name), _GLOBAL_KEY]
        with self._lock:
            until = max((self._failures[k].until for k in keys if k in self._failures), default=0.0)
        return max(0, math.ceil(until - now))

    def failed(self, client: str, name: str | None = None) -> None:
        """Count a failed attempt from ``client`` (signing in as ``name``, if one was typed)."""
        now = self.clock()
        limits = [(key, _FREE_FAILURES) for key in _keys(client, name)]
        limits.append((_GLOBAL_KEY, _GLOBAL_FREE_FAILURES))
        with self._lock:
            for key, free in limits:
                record = self._failures.setdefault(key, _Failures())
                record.count += 1
                over = record.count - free
                if over > 0:
                    wait = min(_FIRST_WAIT_SECONDS * 2 ** (over - 1), _MAX_WAIT_SECONDS)
                    record.until = now + wait

    def succeeded(self, client: str, name: str | None = None) -> None:
        """Forget the failures of ``client`` and of ``name``."""
        with self._lock:
            for key in _keys(client, name):
                self._failures.pop(key, None)


LOGIN_THROTTLE = LoginThrottle()
"""The console process's throttle: Streamlit serves every session from one process."""
