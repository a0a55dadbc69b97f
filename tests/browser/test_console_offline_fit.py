"""The console on an operator's screen, in real Chromium against the whole stack.

The page fetches nothing from beyond this machine (an offline or locked-down browser gets the
whole console), and at 1280x720 the chat and the inbox are usable without scrolling past the
banner and header.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.console_browser import (
    BROWSER_MARKS,
    chromium,
    click,
    keyed,
    new_tab,
    running_dev,
    settled,
    start_refund,
)
from tests.dev_process import DevProcess

pytestmark = BROWSER_MARKS

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
"""Hosts a request may go to: this machine."""


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevProcess]:
    yield from running_dev(DevProcess.start(tmp_path_factory.mktemp("dev")))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def explain(dev: DevProcess, page: Page) -> str:
    return f"--- page ---\n{page.inner_text('body')}\n--- dev ---\n{dev.text()[-3000:]}"


def test_the_console_fetches_nothing_beyond_this_machine(dev: DevProcess, browser: Browser) -> None:
    page = new_tab(browser)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        # Every view an operator uses: the welcome page, a conversation with an approval card,
        # the roster's graph, the timeline and usage tabs, and the inbox.
        page.goto(dev.console_url)
        expect(page.get_by_role("button", name="New conversation")).to_be_visible()
        workflow_id = start_refund(page, dev.console_url)
        expect(page.get_by_text("Run timeline")).to_be_visible()
        click(page, page.get_by_role("tab", name="Usage & cost"))
        expect(page.get_by_text("Model requests")).to_be_visible()
        page.goto(dev.console_url + "?view=inbox")
        expect(keyed(page, f"card:inbox:{workflow_id}:approval-1")).to_be_visible()
        settled(page)
        # The tab's icon is asked for once the page has drawn: a favicon request too must stay.
        expect(page.locator('link[rel="shortcut icon"]')).to_have_count(1)
        favicon = page.locator('link[rel="shortcut icon"]').get_attribute("href") or ""
        page.wait_for_load_state("networkidle")
    except AssertionError as error:
        raise AssertionError(f"{error}\n{explain(dev, page)}") from error
    outside = [url for url in requests if urlsplit(url).hostname not in LOCAL_HOSTS]
    outside = [url for url in outside if urlsplit(url).scheme not in ("data", "blob")]
    assert not urlsplit(favicon).hostname or urlsplit(favicon).hostname in LOCAL_HOSTS, favicon
    assert outside == [], f"the console fetched from the internet: {outside}"


BANNER_SHARE = 1 / 3
"""The most of the window's height that may go to what stands above the chat or the inbox."""


def top_of(page: Page, what: str, locator: Locator) -> float:
    box = locator.bounding_box()
    assert box is not None, f"{what} is not drawn"
    return box["y"]


def in_view(page: Page, what: str, locator: Locator) -> None:
    height = page.viewport_size["height"] if page.viewport_size else 0
    box = locator.bounding_box()
    assert box is not None, f"{what} is not drawn"
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, (
        f"{what} is at y={box['y']:.0f}..{box['y'] + box['height']:.0f}, outside the "
        f"{height} px high window without scrolling"
    )


def test_chat_and_inbox_fit_a_1280_by_720_window(dev: DevProcess, browser: Browser) -> None:
    page = new_tab(browser, width=1280, height=720)
    try:
        workflow_id = start_refund(page, dev.console_url)
        settled(page)
        # The title, status, demo customer and model notes leave most of the window to the
        # chat: the customer's message and what followed are in the first screen.
        chat = keyed(page, "chat-messages")
        first = chat.locator('[data-testid="stChatMessage"]').first
        top = top_of(page, "the customer's first message", first)
        assert top <= 720 * BANNER_SHARE, f"the chat starts at y={top:.0f}, below the banner"
        in_view(page, "the customer's first message", first)
        # The inbox: the first card starts on the first screen.
        page.goto(dev.console_url + "?view=inbox")
        expect(keyed(page, f"card:inbox:{workflow_id}:approval-1")).to_be_visible()
        settled(page)
        # The module's other tests leave approvals waiting too: whichever card comes first.
        card = page.locator('[class*="st-key-card-inbox-"]').first
        top = top_of(page, "the inbox's first card", card)
        assert top <= 720 * BANNER_SHARE, f"the inbox's first card starts at y={top:.0f}"
        # Its decisions come before the facts and arguments, so a refund card, long as it is,
        # can be decided without scrolling.
        in_view(page, "the inbox card's title", card.get_by_text("wants to call").first)
        in_view(page, "the inbox card's Approve button", card.get_by_role("button", name="Approve"))
        in_view(page, "the inbox card's Reject button", card.get_by_role("button", name="Reject"))
    except AssertionError as error:
        raise AssertionError(f"{error}\n{explain(dev, page)}") from error
