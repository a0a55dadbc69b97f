"""Stop a running turn from the console, in a real browser, against the real model client path.

`dev` runs with `OPENAI_API_KEY` and `OPENAI_BASE_URL` pointing at a local OpenAI-compatible
server: it plays the support agents as the offline model does, except that it never answers
the agent's model call for a message asking it to take its time. The operator presses Stop,
sees who stopped the turn, and the next message is answered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from playwright.sync_api import Page, expect

from agents_temporal.testing import HangReply, OpenAICompatibleServer, RecordedRequest, Reply
from tests.browser.console_browser import BROWSER_MARKS, click, stopped_cleanly
from tests.browser.test_console_browser import page as page
from tests.dev_process import DevProcess
from tests.support.openai_brain import support_responder

SLOW = "Where is my order ORD-10042? Take your time."

pytestmark = BROWSER_MARKS


def slow_when_asked(request: RecordedRequest) -> Reply:
    body: dict[str, Any] = request.body_json or {}
    text = cast(dict[str, Any], body.get("text") or {})
    guardrail = cast(dict[str, Any], text.get("format") or {}).get("type") == "json_schema"
    if not guardrail and "take your time" in str(body.get("input")).lower():
        return HangReply(seconds=300)
    return support_responder(request)


@pytest.fixture
def model_server() -> Iterator[OpenAICompatibleServer]:
    with OpenAICompatibleServer(responder=slow_when_asked) as server:
        yield server


@pytest.fixture
def dev(tmp_path: Path, model_server: OpenAICompatibleServer) -> Iterator[DevProcess]:
    yield from stopped_cleanly(
        DevProcess.start(
            tmp_path, OPENAI_API_KEY="sk-test-local", OPENAI_BASE_URL=model_server.base_url
        )
    )


def test_stop_a_running_turn_in_the_console(dev: DevProcess, page: Page) -> None:
    try:
        page.goto(dev.console_url)
        click(page, page.get_by_role("button", name="New conversation"))
        expect(page).to_have_url(re.compile(r"\?conversation=support-"))
        message = page.get_by_placeholder("Message Triage…")
        message.fill(SLOW)
        message.press("Enter")

        stop = page.get_by_role("button", name="Stop")
        click(page, stop)
        # Who stopped it, in the chat; the button is gone and the message box open again.
        # (The sidebar previews the same line: look in the chat, the page's main part.)
        chat = page.get_by_test_id("stMain")
        expect(
            chat.get_by_text(re.compile(r"stopped turn 1: stopped from the console")).first
        ).to_be_visible()
        expect(stop).to_have_count(0)
        message = page.get_by_placeholder(re.compile(r"Message \w+…"))
        message.fill("What is your return policy?")
        message.press("Enter")
        expect(page.get_by_text(re.compile("From our help centre")).first).to_be_visible()
    except AssertionError as error:
        raise AssertionError(
            f"{error}\n--- page ---\n{page.inner_text('body')}\n--- dev ---\n{dev.text()}"
        ) from error
