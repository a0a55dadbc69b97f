"""Keyword ranking for the help centre: small, predictable, and good enough for a dozen articles.

A production store would use its database's full-text search; this keeps both SQLite and
Postgres on the same portable code.
"""

from __future__ import annotations

import re
from typing import Final

_TOKEN: Final = re.compile(r"[a-z0-9]+")
_STOPWORDS: Final = frozenset(
    "a an and are can could did do does for from get got has have how i if in is it its me my "
    "not of on or our please the there this to up was we what when where which who why will "
    "with would you your".split()
)
_SUFFIXES: Final = ("ing", "ed", "es", "s", "e")
_MIN_STEM: Final = 3
_PREFIX_MATCH: Final = 4
_PREFILTER_CHARS: Final = 5
# A title says what an article is about; tags are curated synonyms; the body is everything.
_TITLE_WEIGHT: Final = 3.0
_TAG_WEIGHT: Final = 2.0
_BODY_WEIGHT: Final = 1.0
_BODY_CAP: Final = 3


def stem(word: str) -> str:
    """Reduce an English word to a crude stem: `refunded`, `refunds` and `refund` agree."""
    word = word.lower()
    for suffix in _SUFFIXES:
        if suffix == "s" and word.endswith("ss"):
            continue
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)]
            break
    # "shipping" -> "shipp" -> "ship", so that it meets "ship" and "shipped".
    if len(word) > _MIN_STEM and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    return word


def keywords(text: str) -> list[str]:
    """The distinct stems of the meaningful words in `text`, in order of appearance."""
    seen: dict[str, None] = {}
    for token in _TOKEN.findall(text.lower()):
        if token in _STOPWORDS or len(token) < 2:
            continue
        seen.setdefault(stem(token), None)
    return list(seen)


def _matches(query_stem: str, text_stem: str) -> bool:
    if query_stem == text_stem:
        return True
    shorter, longer = sorted((query_stem, text_stem), key=len)
    return len(shorter) >= _PREFIX_MATCH and longer.startswith(shorter)


def score(query_stems: list[str], *, title: str, tags: str, body: str) -> float:
    """How well an article matches: weighted hits in its title, tags and body (0 = none)."""
    title_stems = keywords(title)
    tag_stems = keywords(tags)
    body_stems = [stem(token) for token in _TOKEN.findall(body.lower())]
    total = 0.0
    for query_stem in query_stems:
        if any(_matches(query_stem, s) for s in title_stems):
            total += _TITLE_WEIGHT
        if any(_matches(query_stem, s) for s in tag_stems):
            total += _TAG_WEIGHT
        body_hits = sum(1 for s in body_stems if _matches(query_stem, s))
        total += _BODY_WEIGHT * min(body_hits, _BODY_CAP)
    return total


def like_patterns(query_stems: list[str]) -> list[str]:
    """LIKE patterns (backslash escapes) that every matching article satisfies at least one of.

    They only narrow what is read from the database; `score` decides. Wildcards in the
    stems cannot occur (stems are `[a-z0-9]`), but are escaped anyway so the patterns stay
    literal whatever the tokenizer becomes.
    """
    patterns: list[str] = []
    for query_stem in query_stems:
        fragment = query_stem[:_PREFILTER_CHARS]
        escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        patterns.append(f"%{escaped}%")
    return patterns
