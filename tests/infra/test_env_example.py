"""infra/.env.example documents exactly the settings the apps read, with their defaults."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agent_stack.settings import SettingValue, load_app_settings, load_settings
from agents_temporal.apps import discover_apps
from tests.infra._repo import INFRA, setting_names

ENV_EXAMPLE = INFRA / ".env.example"
# A setting line: `NAME=value`, or `# NAME=` for one with no default. Prose never starts so.
_SETTING_LINE = re.compile(r"^(?P<commented># )?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


def example_lines() -> list[tuple[int, bool, str, str]]:
    """(line index, commented out, name, value) for every setting line."""
    found: list[tuple[int, bool, str, str]] = []
    for index, line in enumerate(ENV_EXAMPLE.read_text().splitlines()):
        match = _SETTING_LINE.match(line)
        if match:
            found.append((index, bool(match["commented"]), match["name"], match["value"]))
    return found


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_every_setting_is_documented() -> None:
    documented = {name for _, _, name, _ in example_lines()}
    missing = setting_names() - documented
    assert not missing, f"add these settings to infra/.env.example: {sorted(missing)}"


def test_every_documented_name_is_a_setting() -> None:
    documented = {name for _, _, name, _ in example_lines()}
    unknown = documented - setting_names()
    assert not unknown, f"not settings of the apps (remove or add to Settings): {sorted(unknown)}"


def test_each_setting_appears_once_with_a_comment_above() -> None:
    lines = ENV_EXAMPLE.read_text().splitlines()
    names = [name for _, _, name, _ in example_lines()]
    assert len(names) == len(set(names))
    setting_rows = {index for index, _, _, _ in example_lines()}
    for index, _, name, _ in example_lines():
        # Settings that belong together (the mTLS pair) may share the comment above them.
        above = index - 1
        while above in setting_rows:
            above -= 1
        assert lines[above].startswith("#"), f"{name} needs a comment that says what it does"


def test_secrets_are_never_filled_in() -> None:
    secrets = {
        "TEMPORAL_API_KEY",
        "OPENAI_API_KEY",
        "PAYLOAD_ENCRYPTION_KEYS",
        "CONSOLE_ACCESS_TOKEN",
    }
    for _, commented, name, value in example_lines():
        if name in secrets:
            assert commented and value == "", f"{name} must stay an empty, commented line"


@pytest.mark.usefixtures("clean_env")
def test_copying_the_example_changes_no_default() -> None:
    defaults = load_settings(env_file=None)
    from_example = load_settings(env_file=ENV_EXAMPLE)
    assert from_example.model_dump() == defaults.model_dump()
    apps = discover_apps()
    app_defaults = load_app_settings(apps, env_file=None)
    for name, own in load_app_settings(apps, env_file=ENV_EXAMPLE).items():
        assert own.model_dump() == app_defaults[name].model_dump(), name


def defaults_by_variable() -> dict[str, SettingValue]:
    """What every setting of the stack and of each installed app reads when nothing is set."""
    defaults = load_settings(env_file=None).describe()
    for own in load_app_settings(discover_apps(), env_file=None).values():
        defaults.update(own.describe())
    return defaults


@pytest.mark.usefixtures("clean_env")
def test_every_uncommented_value_is_the_default() -> None:
    defaults = defaults_by_variable()
    for _, commented, name, value in example_lines():
        if not commented:
            assert str(defaults[name]) == value, f"{name}: the example says {value!r}"
