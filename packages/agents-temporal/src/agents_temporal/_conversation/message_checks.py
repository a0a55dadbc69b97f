"""Workflow side: what a user message must be before a turn takes it (text and sender).

These run in update validators, on text a client chose, so each is linear in its input and
refuses with one message saying what to change.
"""

from __future__ import annotations

import unicodedata

MAX_SENDER_CHARS = 200
"""Longest sender name a message may carry, in characters (as for operator names)."""

# Characters that draw nothing although Unicode does not class them as format characters or
# spaces: Hangul fillers, the Braille blank, the combining grapheme joiner, variation selectors.
_BLANKS = frozenset(
    "\u115f\u1160\u3164\uffa0\u2800\u034f"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
    + "".join(chr(c) for c in range(0x180B, 0x1810))
    + "".join(chr(c) for c in range(0xE0100, 0xE01F0))
)
# Controls, format characters (zero-width space and joiners, bidi marks, the byte order mark,
# tags) and separators.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def _visible(char: str) -> bool:
    return char not in _BLANKS and unicodedata.category(char) not in _INVISIBLE_CATEGORIES


def has_visible_text(text: str) -> bool:
    """Whether ``text`` shows anything once spaces and zero-width or format characters go."""
    return any(_visible(char) for char in text)


def sender_problem(sender: str) -> str | None:
    """Why ``sender`` cannot name a message's author in the transcript, or None if it can."""
    if len(sender) > MAX_SENDER_CHARS:
        return f"the sender name has {len(sender):,} characters and the limit is {MAX_SENDER_CHARS}"
    if not sender.isprintable():
        return "the sender name has line breaks or other control or format characters"
    if not has_visible_text(sender):
        return "the sender name is blank"
    return None
