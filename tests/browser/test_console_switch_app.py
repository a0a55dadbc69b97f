"""Switching the console's agent app, with two apps, in real Chromium on the whole stack.

The stack runs the example's support app beside the neutral desk. Choosing another app in the
"Agent app" selector once left the previous app's conversation open under the new app's name
(its agents, its approvals). Now each app shows the conversation that was open when the
operator left it, or its welcome page, and the URL says which.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from stack_testapp import REFERENCE
from tests.browser.console_browser import (
    BROWSER_MARKS,
    chromium,
    click,
    new_tab,
    running_dev,
    settled,
)
from tests.dev_process import DevProcess

pytestmark = BROWSER_MARKS


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[DevProcess]:
    yield from running_dev(
        DevProcess.start(tmp_path, AGENT_APP_OBJECTS=f"support_agents:app {REFERENCE}")
    )


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def choose_app(page: Page, title: str) -> None:
    click(page, page.get_by_label("Agent app"))
    page.get_by_role("option", name=title, exact=True).click()
    expect(page.get_by_role("combobox", name="Agent app")).to_have_value(title)


def start_conversation(page: Page, name: str) -> str:
    click(page, page.get_by_role("button", name="New conversation"))
    expect(page).to_have_url(re.compile(rf"\?conversation={name}-"))
    match = re.search(rf"conversation=({name}-[\w-]+)", page.url)
    assert match is not None, page.url
    return match.group(1)


def test_switching_app_closes_the_other_apps_conversation(
    dev: DevProcess, browser: Browser
) -> None:
    page = new_tab(browser)
    main = page.get_by_test_id("stMain")
    try:
        page.goto(dev.console_url)
        # Apps are listed by name: the desk comes first.
        expect(page.get_by_role("combobox", name="Agent app")).to_have_value("Test desk")
        desk = start_conversation(page, "desk")
        expect(main.get_by_text(desk)).to_be_visible()

        # The support app opens on its own welcome page, not on the desk's conversation.
        choose_app(page, "Customer support")
        expect(main.get_by_role("heading", name="Customer support")).to_be_visible()
        settled(page)
        expect(main.get_by_text(desk)).to_have_count(0)
        assert "conversation=" not in page.url, page.url

        # Each app gets back the conversation the operator left open in it.
        support = start_conversation(page, "support")
        choose_app(page, "Test desk")
        expect(page).to_have_url(re.compile(rf"\?conversation={desk}$"))
        expect(main.get_by_text(desk)).to_be_visible()
        settled(page)
        expect(main.get_by_text(support)).to_have_count(0)
        choose_app(page, "Customer support")
        expect(page).to_have_url(re.compile(rf"\?conversation={support}$"))
        expect(main.get_by_text(support)).to_be_visible()
    except AssertionError as error:
        raise AssertionError(
            f"{error}\n--- page ---\n{page.inner_text('body')}\n--- dev ---\n{dev.text()}"
        ) from error
