"""A new app beside the example, as a user gets it: `uv run new-app travel`, then `uv run dev`.

In a copy of the repository (its own `.venv`, filled offline from the uv cache), the console in
Chromium starts a conversation in each app, and each is answered by its own app's offline model:
the travel app's by its search tool's notes, the example's by its order tracking. The worker
once used one app's offline model for every app, so the travel desk heard the support model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.console_browser import BROWSER_MARKS, chromium, click, new_tab, stopped_cleanly
from tests.dev_process import DevProcess
from tests.repository_copy import UV, copy_of_repository, uv, uv_environment

pytestmark = BROWSER_MARKS

# What only the generated app's offline model says: its specialist answers with the result of
# its own search tool (`travel.search`), which knows the opening hours.
TRAVEL_QUESTION = "Search for opening hours"
TRAVEL_ANSWER = "We are open 9:00-17:00, Monday to Friday."
# What only the example's offline model says: its Orders agent tracks the order in the store.
SUPPORT_QUESTION = "Where is my order ORD-10042?"
SUPPORT_ANSWER = re.compile(r"Order ORD-10042 is \w+ with ")


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[DevProcess]:
    root = copy_of_repository(tmp_path / "repo")
    created = uv(root, "run", "new-app", "travel")
    assert "new-app: created apps/travel-agents" in created.stdout, created.stdout
    stack = DevProcess.start(root, command=[UV, "run", "dev"], environ=uv_environment())
    # Stopped as Ctrl-C stops it: `uv run` hands the signal to `dev`, which stops the rest.
    yield from stopped_cleanly(stack)
    assert "dev: stopped" in stack.text()


def test_each_app_is_answered_by_its_own_offline_model(dev: DevProcess) -> None:
    # Both apps run, each with its own offline model (the worker's start-up summary says so).
    assert re.search(r"apps: +support \(1 workflow\), travel \(1 workflow\)", dev.text())
    assert "each app its own (support: OfflineSupportModel, travel: OfflineTravelModel)" in (
        dev.text()
    )
    with chromium() as browser:
        page = new_tab(browser)
        try:
            page.goto(dev.console_url)
            ask(page, "Travel", "travel", TRAVEL_QUESTION, "Specialist")
            # The reply itself, not the tool output shown in the step's expander (it holds the
            # same words).
            replies = page.locator(".st-key-chat-messages").get_by_role(
                "group", name="Chat message from assistant"
            )
            expect(replies.get_by_text(TRAVEL_ANSWER, exact=True)).to_be_visible()

            ask(page, "Customer support", "support", SUPPORT_QUESTION, "Orders")
            expect(replies.get_by_text(SUPPORT_ANSWER)).to_be_visible()
        except AssertionError as error:
            raise AssertionError(
                f"{error}\n--- page ---\n{page.inner_text('body')}\n--- dev ---\n{dev.text()}"
            ) from error


def ask(page: Page, title: str, name: str, question: str, specialist: str) -> None:
    """In app ``title``, start a conversation, ask ``question``; triage hands it on."""
    click(page, page.get_by_label("Agent app"))
    page.get_by_role("option", name=title, exact=True).click()
    expect(page.get_by_role("combobox", name="Agent app")).to_have_value(title)
    click(page, page.get_by_role("button", name="New conversation"))
    expect(page).to_have_url(re.compile(rf"\?conversation={name}-"))
    message = page.get_by_placeholder("Message Triage…")
    message.fill(question)
    message.press("Enter")
    chat = page.locator(".st-key-chat-messages")
    handed = f"Triage handed the conversation to {specialist}"
    expect(chat.get_by_text(handed)).to_be_visible()
