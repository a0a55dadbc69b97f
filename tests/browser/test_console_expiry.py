"""An approval expiring while the operator watches its card, in real Chromium on the whole stack.

The stack runs the neutral desk app. The test starts a conversation itself, through the client
API, with an ``approval_timeout`` of seconds (the console starts conversations with the app's
default of a day), asks it to close a ticket, and watches the inbox: the card must turn into
an expired note without a reload, with no buttons left to decide, and the conversation must
say that nobody decided in time.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from temporalio.client import Client

from agent_stack.settings import Settings
from agents_temporal import OpenAIAgentsPlugin
from agents_temporal.client import (
    ConversationConfig,
    ConversationHandle,
    ConversationInput,
    PendingApproval,
)
from stack_testapp import REFERENCE, DeskConversation
from tests.browser.console_browser import (
    BROWSER_MARKS,
    assert_not_reloaded,
    chromium,
    click,
    keyed,
    never_reloaded,
    new_tab,
    running_dev,
)
from tests.dev_process import DevProcess

pytestmark = BROWSER_MARKS

APPROVAL_TIMEOUT = timedelta(seconds=30)
"""Long enough for a loaded machine to draw the card first; the expiry is then awaited."""


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[DevProcess]:
    yield from running_dev(DevProcess.start(tmp_path, AGENT_APP_OBJECTS=REFERENCE))


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


async def ask_to_close(address: str) -> tuple[str, PendingApproval]:
    """Start a desk conversation whose approvals expire soon; ask it to close a ticket."""
    client = await Client.connect(address, plugins=[OpenAIAgentsPlugin()])
    workflow_id = f"desk-expiry-{secrets.token_hex(4)}"
    conversation = await ConversationHandle.start(
        client,
        DeskConversation.run,
        id=workflow_id,
        task_queue=Settings().temporal_task_queue,
        input=ConversationInput(config=ConversationConfig(approval_timeout=APPROVAL_TIMEOUT)),
    )
    result = await conversation.send("Please close T-2", turn=1)
    assert result.status == "awaiting_approval", result
    (approval,) = result.pending_approvals
    return workflow_id, approval


def explain(dev: DevProcess, page: Page) -> str:
    return f"--- page ---\n{page.inner_text('body')}\n--- dev ---\n{dev.text()[-5000:]}"


def test_an_approval_expiring_while_the_operator_watches(dev: DevProcess, browser: Browser) -> None:
    page = new_tab(browser)
    try:
        page.goto(dev.console_url + "?view=inbox")
        expect(page.get_by_text("Nothing waits for a decision.")).to_be_visible()
        never_reloaded(page)

        # In a thread of its own: Playwright's sync API keeps an event loop in this one.
        with ThreadPoolExecutor(1) as thread:
            asking = thread.submit(asyncio.run, ask_to_close(dev.temporal_address))
            workflow_id, approval = asking.result()
        assert approval.expires_at is not None
        card = keyed(page, f"card:inbox:{workflow_id}:{approval.id}")
        expect(card).to_be_visible()
        expect(card.get_by_role("button", name="Approve")).to_be_visible()

        # Its deadline passes: the card says so in place, and nothing is left to decide.
        expired = keyed(page, f"expired:inbox:{workflow_id}:{approval.id}")
        at = approval.expires_at.astimezone().strftime("%H:%M")
        expect(expired.get_by_text(f"Expired at {at}, rejected automatically")).to_be_visible()
        expect(card).to_have_count(0)
        expect(expired.get_by_role("button", name=re.compile("Approve|Reject"))).to_have_count(0)
        expect(page.get_by_text("Nothing waits for a decision.")).to_be_visible()
        expect(page.get_by_role("button", name=re.compile(r"^Approvals \(0\)"))).to_be_visible()
        assert_not_reloaded(page)
        # The operator has read it: dismissed, it leaves.
        click(page, expired.get_by_role("button", name="Dismiss"))
        expect(expired).to_have_count(0)

        # The conversation tells the same story.
        page.goto(f"{dev.console_url}?conversation={workflow_id}")
        chat = keyed(page, "chat-messages")
        decided = f"close_ticket call {approval.id} rejected automatically: nobody decided in time"
        expect(chat.get_by_text(decided)).to_be_visible()
    except AssertionError as error:
        raise AssertionError(f"{error}\n{explain(dev, page)}") from error
