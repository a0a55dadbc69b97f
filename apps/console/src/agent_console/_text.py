"""Small text helpers: durations, ages, status icons, JSON for people.

Icons are Material Symbols shortcodes (``:material/chat:``): Streamlit ships their font, so
they render everywhere, unlike emoji, which need a system emoji font.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

_ICONS = {
    "idle": ":material/chat:",
    "running": ":material/hourglass_top:",
    "awaiting approval": ":material/front_hand:",
    "closed": ":material/check_circle:",
    "completed": ":material/check_circle:",
    "failed": ":material/error:",
    "terminated": ":material/cancel:",
    "timed out": ":material/timer_off:",
    "canceled": ":material/block:",
}


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>:$&=^\"'])")
"""Characters that mean something to Markdown or to Streamlit's extensions of it (``:red[``,
``:material/icon:``, ``$latex$``); each is escaped with a backslash, which CommonMark allows
before any ASCII punctuation."""


def plain(text: str) -> str:
    """Markdown that shows ``text`` exactly as written: no images, styling, markup or math.

    Customers, models and help-centre articles write text the console shows; rendered as
    Markdown, an image link would make the operator's browser fetch any URL (carrying data a
    model was led to put in it) and coloured text could pose as a system note. Line breaks are
    kept. A bare web or e-mail address may still show as a link (GitHub-flavoured autolinks),
    which nothing follows unless the operator clicks it.
    """
    escaped = _MARKDOWN.sub(r"\\\1", text)
    return "  \n".join(escaped.splitlines()) if "\n" in escaped else escaped


def status_icon(label: str) -> str:
    """A Material icon (Streamlit shortcode) for a conversation's status label."""
    return _ICONS.get(label, ":material/help:")


def duration(seconds: float | None) -> str:
    """``850 ms``, ``1.2 s``, ``3 min 5 s``; empty for None."""
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def age(then: datetime, now: datetime | None = None) -> str:
    """How long ago, roughly: ``just now``, ``5 min ago``, ``3 h ago``, ``2 d ago``."""
    elapsed = since(then, now)
    return elapsed if elapsed == "just now" else f"{elapsed} ago"


def since(then: datetime, now: datetime | None = None) -> str:
    """A rough length of time since ``then``: ``just now``, ``5 min``, ``3 h``, ``2 d``."""
    elapsed = (now or datetime.now(UTC)) - then
    if elapsed < timedelta(seconds=45):
        return "just now"
    if elapsed < timedelta(hours=1):
        return f"{max(1, round(elapsed.total_seconds() / 60))} min"
    if elapsed < timedelta(days=1):
        return f"{round(elapsed.total_seconds() / 3600)} h"
    return f"{elapsed.days} d"


def until(moment: datetime, now: datetime | None = None) -> str:
    """The time left until ``moment``, rounded down: ``under a minute``, ``4 min``, ``23 h 55 min``.

    Rounded down, so that a deadline never looks further away than it is.
    """
    remaining = moment - (now or datetime.now(UTC))
    if remaining < timedelta(minutes=1):
        return "under a minute"
    minutes = int(remaining.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def clock(moment: datetime) -> str:
    """``14:03:27.512`` in local time: steps of one turn are often within a second."""
    return moment.astimezone().strftime("%H:%M:%S.%f")[:-3]


def pretty_json(text: str | None) -> str:
    """JSON text indented for reading; other text as it is."""
    if not text:
        return ""
    try:
        value: Any = json.loads(text)
    except ValueError:
        return text
    return json.dumps(value, indent=2, ensure_ascii=False)


def clip(text: str, limit: int = 160) -> str:
    """``text`` on one line, shortened to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def tokens(count: int) -> str:
    """``1,234`` style."""
    return f"{count:,}"


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``1 tool``, ``2 tools``, ``1,234 tokens``: a count with its noun in the right number.

    Args:
        count: How many.
        noun: The singular noun.
        plural: The plural where adding an ``s`` is wrong (``entries``).
    """
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
