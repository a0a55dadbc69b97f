"""The whole stack in a real browser: `dev`, then a refund conversation approved in the console.

Drives Debian's Chromium (``/usr/bin/chromium``) through Playwright; nothing is downloaded.
Takes a screenshot of the finished conversation; with ``UPDATE_SCREENSHOTS=1`` it replaces the
README's ``docs/console.png`` (otherwise the committed picture stays as it is).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.console_browser import (
    BROWSER_MARKS,
    DOCS,
    REFUND,
    chromium,
    click,
    new_tab,
    stopped_cleanly,
)
from tests.dev_process import DevProcess

DOCS_SCREENSHOT = DOCS / "console.png"

pytestmark = BROWSER_MARKS


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[DevProcess]:
    yield from stopped_cleanly(DevProcess.start(tmp_path))


@pytest.fixture
def page() -> Iterator[Page]:
    with chromium() as browser:
        yield new_tab(browser)


def test_refund_conversation_approved_in_the_inbox(
    dev: DevProcess, page: Page, tmp_path: Path
) -> None:
    try:
        refund_approved_in_the_inbox(dev, page, tmp_path)
    except AssertionError as error:
        raise AssertionError(
            f"{error}\n--- page ---\n{page.inner_text('body')}\n--- dev ---\n{dev.text()}"
        ) from error


def refund_approved_in_the_inbox(dev: DevProcess, page: Page, tmp_path: Path) -> None:
    page.goto(dev.console_url)
    click(page, page.get_by_role("button", name="New conversation"))
    expect(page).to_have_url(re.compile(r"\?conversation=support-"))
    message = page.get_by_placeholder("Message Triage…")
    message.fill(REFUND)
    message.press("Enter")

    # The turn pauses for approval: the card shows inline in the chat, and in the inbox.
    expect(page.get_by_text("wants to call").first).to_be_visible()
    # The chat and the run timeline both say so; the chat's line is the first.
    expect(page.get_by_text("Triage handed the conversation to Refunds").first).to_be_visible()
    # What the worker ran, as its model calls recorded it.
    expect(page.get_by_text("Offline demo model in use")).to_be_visible()
    click(page, page.get_by_role("button", name="Approvals (1)"))
    expect(page.get_by_role("heading", name="Approvals inbox (1)")).to_be_visible()
    click(page, page.get_by_role("button", name="Approve", exact=True))
    approved = re.compile(r"Approved issue_refund \(approval-1\) as ")
    expect(page.get_by_text(approved)).to_be_visible()

    click(page, page.get_by_role("button", name="Conversations"))
    # In the chat (the sidebar's preview of the conversation shows the same answer).
    chat = page.locator(".st-key-chat-messages")
    expect(chat.get_by_text(re.compile(r"Your refund RF-\d+ of \$150\.00"))).to_be_visible()
    decided = re.compile(r"issue_refund call approval-1 approved by ")
    expect(chat.get_by_text(decided)).to_be_visible()
    click(page, page.get_by_role("tab", name="Run timeline"))
    timeline = page.get_by_test_id("stDataFrame").first
    expect(timeline).to_be_visible()
    expect(page.get_by_role("tab", name="Usage & cost")).to_be_visible()
    expect(page.get_by_text("Refunds", exact=True).first).to_be_visible()

    update_docs = os.environ.get("UPDATE_SCREENSHOTS") == "1"
    screenshot = DOCS_SCREENSHOT if update_docs else tmp_path / "console.png"
    screenshot.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 50_000
