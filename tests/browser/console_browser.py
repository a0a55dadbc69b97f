"""What the console's browser tests share: Debian's Chromium, and waiting for Streamlit."""

from __future__ import annotations

import re
import signal
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.dev_process import DevProcess, alive

CHROMIUM = Path("/usr/bin/chromium")
DOCS = Path(__file__).parents[2] / "docs"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 90_000
"""How long actions and assertions wait: pages are slow on a loaded machine."""

REFUND = "I want a refund of $150 on order ORD-10042"

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.timeout(600),
    pytest.mark.skipif(
        not CHROMIUM.is_file(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]
"""Every browser test's marks: slow, and skipped where Debian's Chromium is missing."""


def running_dev(stack: DevProcess) -> Generator[DevProcess]:
    """Hand the started ``stack`` to the test once it is ready; stop it after, as Ctrl-C does."""
    try:
        stack.wait_ready()
        yield stack
    finally:
        if stack.process.poll() is None:
            stack.stop(signal.SIGINT)


def stopped_cleanly(stack: DevProcess) -> Generator[DevProcess]:
    """Like `running_dev`, and then checks Ctrl-C stops it with exit 0 and no child left."""
    try:
        stack.wait_ready()
        yield stack
    except BaseException:
        stack.kill()
        raise
    children = stack.descendants()
    assert stack.stop(signal.SIGINT) == 0, stack.text()
    assert not {pid for pid in children if alive(pid)}


@contextmanager
def chromium() -> Generator[Browser]:
    """Debian's Chromium, headless; nothing is downloaded."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            expect.set_options(timeout=WAIT_MS)
            yield browser
        finally:
            browser.close()


def new_tab(browser: Browser, width: int = 1440, height: int = 1800) -> Page:
    """A tab in a context of its own (its own Streamlit session), waiting as long as pages do."""
    tab = browser.new_context(viewport={"width": width, "height": height}).new_page()
    tab.set_default_timeout(WAIT_MS)
    tab.on("pageerror", lambda error: print("browser page error:", error))
    return tab


def settled(page: Page) -> None:
    """Wait until the page's script run has finished (a click during a run can be lost)."""
    expect(
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    ).to_be_attached()


def click(page: Page, button: Locator) -> None:
    """Click once the page has finished its run, so the click is not lost to a redraw."""
    settled(page)
    button.click()


def keyed(page: Page, key: str) -> Locator:
    """The element Streamlit drew for a widget or container ``key`` (class ``st-key-<key>``,
    with characters a class name cannot hold, such as ``:``, written as ``-``)."""
    return page.locator(".st-key-" + re.sub(r"[^\w-]", "-", key)).first


def start_refund(page: Page, console_url: str) -> str:
    """Start a conversation in ``page`` and ask for the refund; returns its workflow id."""
    page.goto(console_url)
    click(page, page.get_by_role("button", name="New conversation"))
    expect(page).to_have_url(re.compile(r"\?conversation=support-"))
    match = re.search(r"conversation=(support-[\w-]+)", page.url)
    assert match is not None, page.url
    message = page.get_by_placeholder("Message Triage…")
    message.fill(REFUND)
    message.press("Enter")
    expect(page.get_by_text("wants to call").first).to_be_visible()
    return match.group(1)


def never_reloaded(page: Page) -> None:
    """Mark the page's document, so that `assert_not_reloaded` can tell a reload happened."""
    page.evaluate("window.__not_reloaded = true")


def assert_not_reloaded(page: Page) -> None:
    """The page still shows the document `never_reloaded` marked."""
    assert page.evaluate("window.__not_reloaded === true"), "the page was reloaded"
