"""Console logins whose identity a client cannot choose, throttled, with tokens worth guessing.

Once, one shared token and a typed name were the whole identity: anyone with the token could
decide as anyone (even "system:timeout"), token attempts were unlimited, and a one-character
token was accepted.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import agent_console
from agent_console import _identity, _ui_login
from agent_console.service import LoginThrottle, Operator
from agent_stack.settings import Settings, SettingsError, load_settings

APP_SCRIPT = str(Path(agent_console.__file__).parent / "app.py")
ADA, GRACE = "ada-0123456789abcdef", "grace-fedcba9876543210"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A fresh throttle for the console, on a clock the test moves."""
    fake = Clock()
    monkeypatch.setattr(_ui_login, "LOGIN_THROTTLE", LoginThrottle(clock=fake))
    return fake


@pytest.fixture
def console_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"
    for name in ("OPENAI_API_KEY", "MODEL", "CONSOLE_ACCESS_TOKEN", "CONSOLE_OPERATORS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TEMPORAL_ADDRESS", address)
    monkeypatch.chdir(tmp_path)
    yield


def sign_in(at: AppTest, token: str, name: str | None = None) -> AppTest:
    inputs = list(at.text_input)
    if name is not None:
        inputs[0].input(name)
    inputs[-1].input(token)
    return at.button[0].click().run()


def errors(at: AppTest) -> list[str]:
    return [str(e.value) for e in at.error]


def test_an_operator_token_decides_the_name(
    console_env: None, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSOLE_OPERATORS", f"ada:{ADA},grace:{GRACE}")
    at = AppTest.from_file(APP_SCRIPT, default_timeout=30).run()
    # Only a token is asked for: there is no name to type, so none to forge.
    assert [t.label for t in at.text_input] == ["Your token"]
    sign_in(at, "ada-0123456789abcdeX")
    assert errors(at) == ["That token is not right."]
    sign_in(at, GRACE)
    assert at.session_state["named_operator"] == Operator("grace", "operators")


def test_failed_sign_ins_are_throttled(
    console_env: None, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Once an xfail: the test harness reports a fresh stand-in object as each run's address,
    # which the page counted as a new client every time, so its throttle never held.
    monkeypatch.setenv("CONSOLE_OPERATORS", f"ada:{ADA}")
    at = AppTest.from_file(APP_SCRIPT, default_timeout=30).run()
    for attempt in range(5):
        sign_in(at, f"wrong-token-number-{attempt}")
        assert errors(at) == ["That token is not right."]
    sign_in(at, "wrong-token-number-5")
    # The failure that costs a wait says how long, in the same message.
    assert errors(at) == ["That token is not right. Too many failed sign-ins: try again in 2 s."]
    # Meanwhile even the right token is not tried.
    sign_in(at, ADA)
    assert errors(at) == ["Too many failed sign-ins: try again in 2 s."]
    assert "named_operator" not in at.session_state
    # A new session (a reload, another tab) is held up too, and says so before any attempt.
    fresh = AppTest.from_file(APP_SCRIPT, default_timeout=30).run()
    assert errors(fresh) == ["Too many failed sign-ins: try again in 2 s."]
    clock.now += 2
    sign_in(at, ADA)
    assert at.session_state["named_operator"] == Operator("ada", "operators")


def test_a_shared_token_login_is_throttled_per_name_across_addresses(
    console_env: None, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", ADA)
    addresses = iter(f"10.0.{n}.1" for n in range(100))
    # Every run comes from another address, as from an attacker with many.
    monkeypatch.setattr(_ui_login, "_client", lambda: next(addresses))
    at = AppTest.from_file(APP_SCRIPT, default_timeout=30).run()
    for attempt in range(6):
        sign_in(at, f"wrong-token-number-{attempt}", name="Ada")
    assert errors(at) == [
        "That access token is not right. Too many failed sign-ins: try again in 2 s."
    ]
    sign_in(at, ADA, name=" ada ")
    assert errors(at) == ["Too many failed sign-ins: try again in 2 s."]
    assert "token_operator" not in at.session_state
    # Another name is not held up by Ada's failures.
    sign_in(at, ADA, name="grace")
    assert at.session_state["token_operator"] == Operator("grace", "token")


def test_the_throttle_doubles_its_wait_and_forgets_on_success() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for _ in range(5):
        throttle.failed("10.0.0.1")
    assert throttle.wait_seconds("10.0.0.1") == 0
    waits: list[int] = []
    for _ in range(10):
        throttle.failed("10.0.0.1")
        waits.append(throttle.wait_seconds("10.0.0.1"))
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert throttle.wait_seconds("10.0.0.2") == 0, "another address is not held up"
    throttle.succeeded("10.0.0.1")
    assert throttle.wait_seconds("10.0.0.1") == 0


def test_many_addresses_together_are_throttled_too() -> None:
    throttle = LoginThrottle(clock=Clock())
    for address in range(51):
        throttle.failed(f"10.0.{address}.1")
    assert throttle.wait_seconds("10.9.9.9") == 2


def test_the_throttle_counts_a_name_apart_from_addresses() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for address in range(6):
        throttle.failed(f"10.0.{address}.1", "Ada")
    assert throttle.wait_seconds("10.9.9.9", "ada") == 2, "names compare case-insensitively"
    assert throttle.wait_seconds("10.9.9.9", "grace") == 0
    assert throttle.wait_seconds("10.9.9.9") == 0
    throttle.succeeded("10.9.9.9", "ADA")
    assert throttle.wait_seconds("10.9.9.9", "ada") == 0


@pytest.mark.parametrize(
    ("seconds", "text"), [(2, "2 s"), (59, "59 s"), (60, "1 min"), (128, "2 min 8 s")]
)
def test_waits_read_as_minutes_and_seconds(seconds: int, text: str) -> None:
    assert _identity.wait_text(seconds) == text


def test_a_shared_token_login_refuses_a_reserved_name(
    console_env: None, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", ADA)
    at = AppTest.from_file(APP_SCRIPT, default_timeout=30).run()
    sign_in(at, ADA, name="system:timeout")
    [message] = errors(at)
    assert message.startswith("Choose another name: 'system:timeout' is ")
    assert "token_operator" not in at.session_state


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"CONSOLE_ACCESS_TOKEN": "short"}, "CONSOLE_ACCESS_TOKEN: the token is 5 characters"),
        ({"CONSOLE_OPERATORS": "ada:short"}, "the token of 'ada' is 5 characters"),
        ({"CONSOLE_OPERATORS": f"ada:{ADA},bob:{ADA}"}, "'bob' shares a token"),
        ({"CONSOLE_OPERATORS": f"system:{ADA}"}, "'system' is reserved"),
        ({"CONSOLE_OPERATORS": ADA}, "entry 1 is not of the form name:token"),
        ({"CONSOLE_OPERATOR": "system"}, "CONSOLE_OPERATOR: 'system' is reserved"),
        (
            {"CONSOLE_OPERATORS": f"ada:{ADA}", "CONSOLE_ACCESS_TOKEN": GRACE},
            "CONSOLE_ACCESS_TOKEN: is set together with CONSOLE_OPERATORS",
        ),
    ],
    ids=["short-token", "short-operator-token", "shared", "reserved", "no-name", "os", "both"],
)
def test_weak_or_ambiguous_login_settings_are_refused(
    console_env: None, monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], expected: str
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert expected in str(refused.value)
    for secret in (ADA, GRACE):
        assert secret not in str(refused.value)


def test_good_operator_settings_parse(console_env: None) -> None:
    settings = Settings(**{"CONSOLE_OPERATORS": f" ada:{ADA} , grace:{GRACE},", "_env_file": None})  # pyright: ignore[reportArgumentType]
    assert settings.operator_tokens() == {"ada": ADA, "grace": GRACE}
    assert ADA not in repr(settings)
