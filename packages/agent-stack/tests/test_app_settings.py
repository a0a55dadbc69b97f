"""Each agent app's own settings: loaded once, checked with one line per bad variable and app."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import Field, SecretStr

import agents_temporal._apps as apps_module
from agent_stack.apps import HOW_TO_ADD_AN_APP, NoAgentAppError, installed_apps
from agent_stack.settings import SettingsError, load_app_settings
from agents_temporal.apps import ENTRY_POINT_GROUP, AgentApp, AgentAppError, AppSettings


class InventorySettings(AppSettings):
    setting_hints: ClassVar[Mapping[str, str]] = {"INVENTORY_BATCH": "a whole number such as 50"}

    inventory_url: str = "https://inventory.example"
    """Where the inventory service is."""
    inventory_token: SecretStr | None = None
    """Secret. Token for the inventory service."""
    inventory_batch: int = Field(default=50, ge=1)
    """Items per request."""


class MailSettings(AppSettings):
    mail_port: int = Field(default=25, ge=1, le=65535)
    """SMTP port."""


class Neutral:
    """Stands in for a workflow class; these tests never run one."""


def app(name: str, settings: type[AppSettings] = AppSettings) -> AgentApp[Any]:
    return AgentApp(
        name=name,
        title=name.title(),
        description="A test app.",
        conversation_workflow=Neutral,
        settings=settings,
    )


INVENTORY, MAIL = app("inventory", InventorySettings), app("mail", MailSettings)
OWN_VARIABLES = ("INVENTORY_URL", "INVENTORY_TOKEN", "INVENTORY_BATCH", "MAIL_PORT")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in OWN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_each_app_gets_its_own_settings_from_the_environment_and_dotenv(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    (clean_env / ".env").write_text("INVENTORY_BATCH=7\nMAIL_PORT=2525\nTEMPORAL_ADDRESS=x:1\n")
    monkeypatch.setenv("MAIL_PORT", "587")
    loaded = load_app_settings([INVENTORY, MAIL, app("plain")])
    inventory, mail = loaded["inventory"], loaded["mail"]
    assert isinstance(inventory, InventorySettings) and isinstance(mail, MailSettings)
    assert inventory.inventory_batch == 7
    assert mail.mail_port == 587  # the environment wins over .env
    assert type(loaded["plain"]) is AppSettings
    assert load_app_settings([INVENTORY], env_file=None)["inventory"] == InventorySettings(
        _env_file=None  # pyright: ignore[reportCallIssue]
    )


def test_every_bad_variable_of_every_app_gets_one_line_naming_its_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INVENTORY_BATCH", "0")
    monkeypatch.setenv("MAIL_PORT", "smtp")
    with pytest.raises(SettingsError) as caught:
        load_app_settings([INVENTORY, MAIL])
    problems = dict(caught.value.problems)
    assert list(problems) == [
        "INVENTORY_BATCH (agent app 'inventory')",
        "MAIL_PORT (agent app 'mail')",
    ]
    assert problems["INVENTORY_BATCH (agent app 'inventory')"].endswith(
        "; got '0'; set a whole number such as 50"
    )
    assert "got 'smtp'" in problems["MAIL_PORT (agent app 'mail')"]
    message = str(caught.value)
    assert message.startswith("Invalid settings (from environment variables or the .env file)")
    assert "  - MAIL_PORT (agent app 'mail'): " in message


def test_secrets_stay_out_of_errors_summaries_and_reprs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVENTORY_TOKEN", "inv-secret-41b")
    monkeypatch.setenv("INVENTORY_URL", "https://svc:url-secret-9c3@inventory.internal/v2")
    settings = load_app_settings([INVENTORY])["inventory"]
    summary = settings.describe()
    assert summary == {
        "INVENTORY_URL": "https://svc:***@inventory.internal/v2",
        "INVENTORY_TOKEN": "set",
        "INVENTORY_BATCH": 50,
    }
    for text in (repr(settings), str(settings), json.dumps(summary)):
        assert "inv-secret-41b" not in text and "url-secret-9c3" not in text
    monkeypatch.setenv("INVENTORY_BATCH", "https://svc:url-secret-9c3@x")
    with pytest.raises(SettingsError) as caught:
        load_app_settings([INVENTORY])
    assert "url-secret-9c3" not in str(caught.value)
    assert "svc:***@x" in str(caught.value)


def test_an_unset_secret_reads_not_set() -> None:
    assert load_app_settings([INVENTORY])["inventory"].describe()["INVENTORY_TOKEN"] == "not set"


@dataclass(frozen=True)
class FakeEntryPoint:
    name: str
    value: str
    load: Callable[[], object]


def entry_points_of(monkeypatch: pytest.MonkeyPatch, *found: FakeEntryPoint) -> None:
    def entry_points(*, group: str) -> list[FakeEntryPoint]:
        assert group == ENTRY_POINT_GROUP
        return list(found)

    monkeypatch.setattr(apps_module, "entry_points", entry_points)


def test_no_installed_app_is_refused_with_how_to_add_one(monkeypatch: pytest.MonkeyPatch) -> None:
    entry_points_of(monkeypatch)
    with pytest.raises(NoAgentAppError) as caught:
        installed_apps(needed_by="the worker has nothing to run")
    message = str(caught.value)
    assert message.startswith("No agent app is installed, so the worker has nothing to run: ")
    assert message.endswith(HOW_TO_ADD_AN_APP)
    assert ENTRY_POINT_GROUP in message and "AGENT_APPS" in message
    assert isinstance(caught.value, AgentAppError)


def test_installed_apps_are_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    entry_points_of(monkeypatch, FakeEntryPoint("mail", "mail_app:app", lambda: MAIL))
    assert installed_apps() == [MAIL]


def test_an_app_whose_settings_are_not_app_settings_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = app("broken", dict)  # type: ignore[arg-type]
    entry_points_of(monkeypatch, FakeEntryPoint("broken", "broken_app:app", lambda: broken))
    with pytest.raises(AgentAppError, match=r"give it a subclass of agents_temporal\.apps\.AppSet"):
        installed_apps()
