"""The support app's own settings: read once, each as one type, checked with clear messages."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from agent_stack.settings import SettingsError, load_app_settings
from support_agents import RefundPolicy, SupportSettings, app
from support_agents._app import help_centre_servers

VARIABLES = (
    "DATABASE_URL",
    "REFUND_APPROVAL_THRESHOLD",
    "REFUND_HARD_CAP",
    "SUPPORT_HELP_CENTRE_MCP",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def load() -> SupportSettings:
    own = load_app_settings([app])["support"]
    assert isinstance(own, SupportSettings)
    return own


def test_the_app_declares_its_settings() -> None:
    assert app.settings is SupportSettings
    assert SupportSettings.env_var_names() == VARIABLES


def test_defaults_work_on_one_machine() -> None:
    settings = load()
    assert settings.database_url == "sqlite+aiosqlite:///.data/store.db"
    assert settings.refund_policy() == RefundPolicy(
        approval_threshold_cents=10_000, hard_cap_cents=50_000
    )
    assert settings.support_help_centre_mcp is False
    assert help_centre_servers(settings) == {}


def test_amounts_are_read_once_as_decimals_and_given_to_the_store_in_cents(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REFUND_APPROVAL_THRESHOLD", "49.99")
    monkeypatch.setenv("REFUND_HARD_CAP", " 900.00 ")
    settings = load()
    assert settings.refund_approval_threshold == Decimal("49.99")
    assert settings.refund_policy() == RefundPolicy(
        approval_threshold_cents=4_999, hard_cap_cents=90_000
    )


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("sqlite:///tmp/store.db", "sqlite+aiosqlite:///tmp/store.db"),
        ("postgres://u:p@db:5432/store", "postgresql+asyncpg://u:p@db:5432/store"),
        ("postgresql+asyncpg://u:p@db/store", "postgresql+asyncpg://u:p@db/store"),
    ],
)
def test_the_database_url_gets_its_async_driver_once(
    monkeypatch: pytest.MonkeyPatch, given: str, used: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    assert load().database_url == used


def test_the_help_centre_switch_turns_the_mcp_server_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORT_HELP_CENTRE_MCP", "true")
    [(name, factory)] = help_centre_servers(load()).items()
    assert name == "HelpCentre"
    assert factory().name == "HelpCentre"


INVALID: list[tuple[dict[str, str], str, str]] = [
    ({"DATABASE_URL": "sqlite+pysqlite:///s.db"}, "DATABASE_URL", "'sqlite+aiosqlite://'"),
    ({"DATABASE_URL": "postgresql+psycopg2://h/db"}, "DATABASE_URL", "'postgresql+asyncpg://'"),
    ({"DATABASE_URL": ".data/store.db"}, "DATABASE_URL", "SQLAlchemy URL"),
    ({"REFUND_APPROVAL_THRESHOLD": "-1"}, "REFUND_APPROVAL_THRESHOLD", "non-negative amount"),
    ({"REFUND_APPROVAL_THRESHOLD": "lots"}, "REFUND_APPROVAL_THRESHOLD", "got 'lots'"),
    ({"REFUND_APPROVAL_THRESHOLD": "9.999"}, "REFUND_APPROVAL_THRESHOLD", "2 decimal places"),
    ({"REFUND_HARD_CAP": "0"}, "REFUND_HARD_CAP", "a positive amount"),
    ({"SUPPORT_HELP_CENTRE_MCP": "perhaps"}, "SUPPORT_HELP_CENTRE_MCP", "set true or false"),
]


@pytest.mark.parametrize(("env", "variable", "expected"), INVALID)
def test_a_bad_value_names_the_variable_the_app_and_the_fix(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], variable: str, expected: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load()
    [(where, message)] = caught.value.problems
    assert where == f"{variable} (agent app 'support')"
    assert expected in message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://store:db-password-5e1@db:5432/store",
        "postgresql+psycopg2://store:db-password-5e1@db/store",
        "store:db-password-5e1@db/store",
    ],
)
def test_the_database_password_never_shows(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        settings = load()
    except SettingsError as error:
        shown: list[Any] = [str(error)]
    else:
        shown = [repr(settings), str(settings), json.dumps(settings.describe())]
        assert settings.describe()["DATABASE_URL"] == "postgresql+asyncpg://store:***@db:5432/store"
    assert all("db-password-5e1" not in text for text in shown)
